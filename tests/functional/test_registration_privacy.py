"""Registration tells nobody which addresses have accounts, through HTTP with a real SMTP server:
every registration answers 202 "check your email" in the same shape and with the same password
hashing work; a new address is activated by the emailed code (signed, expiring, single use) and
cannot log in before (403 `email_unconfirmed`); the owner of a registered address is told that
someone tried, and nothing about their account changes."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.accounts.models import User
from tests.factories.accounts import PASSWORD, confirmation_token, make_user, register_via_api
from tests.factories.orders import T0
from tests.factories.passwords import CountingPasswords
from tests.factories.races import race_clients

pytestmark = pytest.mark.usefixtures("fast_passwords")

NEW = "han.meimei@example.cn"


def _login(client, email, password="a long password"):
    return client.post("/api/v1/accounts/login", json={"email": email, "password": password})


def _confirm(client, token):
    return client.post("/api/v1/accounts/confirm-email", json={"token": token})


def _mail_to(inbox, email):
    return [m for m in inbox.messages if m["to"] == [email]]


def test_a_new_address_is_activated_by_the_emailed_code(ship_client, session, inbox):
    r = register_via_api(ship_client, email="Han.MeiMei@Example.cn")
    assert r.status_code == 202 and r.json == {
        "status": "confirmation_sent", "email": NEW, "detail": "Check your email: we sent the next step to this address."}
    # The right password of an unconfirmed account: told to confirm; a wrong one: the usual 401.
    r = _login(ship_client, NEW)
    assert r.status_code == 403 and r.mimetype == "application/problem+json" and r.json["code"] == "email_unconfirmed"
    assert _login(ship_client, NEW, "not the password").json["code"] == "bad_credentials"
    [mail] = _mail_to(inbox, NEW)
    token = confirmation_token(session, NEW)
    assert token in mail["body"] and "/api/v1/accounts/confirm-email" in mail["body"]
    r = _confirm(ship_client, token)
    assert r.status_code == 200 and r.json["email"] == NEW and r.json["email_confirmed_at"], r.json
    assert _login(ship_client, NEW).status_code == 200
    r = _confirm(ship_client, token)   # single use
    assert r.status_code == 409 and r.json["code"] == "email_already_confirmed"


def test_a_registered_address_answers_the_same_and_its_owner_is_told(ship_client, session, inbox):
    owner = make_user(session, email="owner@example.cn")
    session.commit()
    taken = register_via_api(ship_client, email="owner@example.cn", password="attacker's password", display_name="X")
    fresh = register_via_api(ship_client, email="nobody@example.cn", password="attacker's password", display_name="X")
    assert taken.status_code == fresh.status_code == 202
    assert taken.headers["Content-Type"] == fresh.headers["Content-Type"]
    assert taken.data == fresh.data.replace(b"nobody@example.cn", b"owner@example.cn")   # byte for byte
    [notice] = _mail_to(inbox, "owner@example.cn")
    assert "someone tried to register" in notice["body"].lower() and "token" not in notice["body"]
    # Nothing changed on the account: the owner's password still works, the attacker's does not.
    assert _login(ship_client, "owner@example.cn", PASSWORD).status_code == 200
    assert _login(ship_client, "owner@example.cn", "attacker's password").json["code"] == "bad_credentials"
    assert session.scalar(select(func.count()).select_from(User).where(User.email == "owner@example.cn")) == 1
    feed = ship_client.get("/api/v1/notifications", headers=owner.headers).json["items"]
    assert [n["kind"] for n in feed] == ["registration_attempt"]


def test_both_answers_cost_one_password_hash(ship_client, session, fast_passwords):
    make_user(session, email="owner@example.cn")
    session.commit()
    counting = fast_passwords.use(CountingPasswords())
    for email in ("owner@example.cn", "nobody@example.cn"):
        before = counting.hashed
        assert register_via_api(ship_client, email=email).status_code == 202
        assert counting.hashed - before == 1, email


def test_codes_that_are_forged_tampered_or_expired_are_refused(ship_client, session, freeze):
    at = freeze(T0)
    assert register_via_api(ship_client, email=NEW).status_code == 202
    token = confirmation_token(session, NEW)
    user_hex, expires, sig = token.split(".")
    for bad in (f"{user_hex}.{int(expires) + 3600}.{sig}", f"{user_hex}.{expires}.{sig[:-2]}AA", "garbage",
                f"{make_user(session).id.hex}.{expires}.{sig}", "a.b.c", "." * 5):
        r = _confirm(ship_client, bad)
        assert r.status_code == 422 and r.json["code"] == "token_invalid" and "token" in r.json["errors"], bad
    at.advance(timedelta(hours=48, seconds=1))
    r = _confirm(ship_client, token)
    assert r.status_code == 422 and r.json["code"] == "token_expired"
    assert _login(ship_client, NEW).json["code"] == "email_unconfirmed"


def test_registering_again_before_confirming_sends_a_new_code_with_the_new_password(ship_client, session, freeze):
    at = freeze(T0)
    assert register_via_api(ship_client, email=NEW, password="first password!").status_code == 202
    old = confirmation_token(session, NEW)
    at.advance(timedelta(minutes=5))
    assert register_via_api(ship_client, email=NEW, password="second password").status_code == 202
    new = confirmation_token(session, NEW)
    assert new != old
    assert _confirm(ship_client, old).json["code"] == "token_invalid"   # replaced by the newer link
    assert _confirm(ship_client, new).status_code == 200
    assert _login(ship_client, NEW, "second password").status_code == 200
    assert _login(ship_client, NEW, "first password!").status_code == 401


def test_concurrent_registrations_of_one_address_make_one_account(ship_app, session):
    answers = race_clients(ship_app, 4, lambda c, i: register_via_api(c, email=NEW, password=f"password number {i}"))
    assert [r.status_code for r in answers] == [202] * 4
    assert len({r.data for r in answers}) == 1
    assert session.scalar(select(func.count()).select_from(User).where(User.email == NEW)) == 1


def test_in_development_the_code_is_in_the_log(app, client, session, caplog):
    caplog.set_level("INFO", logger="services.notifications.channels")
    assert register_via_api(client, email=NEW).status_code == 202
    token = confirmation_token(session, NEW)
    sent = [r for r in caplog.records if r.name == "services.notifications.channels" and getattr(r, "to", None) == NEW]
    assert sent and token in sent[-1].body


def test_support_confirms_an_address_by_hand_with_the_cli(app, client, session):
    """`flask confirm-email` (support; make run without a mailbox) activates an unconfirmed
    account, audited; a confirmed or unknown address is refused and nothing changes."""
    from services.audit import AuditEntry
    assert register_via_api(client, email=NEW).status_code == 202
    assert _login(client, NEW).status_code == 403
    runner = app.test_cli_runner()
    r = runner.invoke(args=["confirm-email", "--email", "Han.MeiMei@example.cn"])
    assert r.exit_code == 0 and f"{NEW} confirmed" in r.output
    assert _login(client, NEW).status_code == 200
    user = session.scalar(select(User).where(User.email == NEW))
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "account.email_confirmed_by_support",
                                                   AuditEntry.target_id == str(user.id))) is not None
    again = runner.invoke(args=["confirm-email", "--email", NEW])
    assert again.exit_code == 1 and "already confirmed" in again.output
    unknown = runner.invoke(args=["confirm-email", "--email", "nobody@example.cn"])
    assert unknown.exit_code == 1 and "no account has this address" in unknown.output
