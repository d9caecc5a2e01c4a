"""Forgotten passwords, through HTTP with a real SMTP server: asking for a reset answers the same
bytes for every address and hashes no password; a confirmed account is emailed a code (signed,
expiring after PASSWORD_RESET_MINUTES, single use: bound to the password hash) that sets a new
password and ends every login; an unconfirmed account gets a fresh confirmation code instead and
an unknown address nothing. Requests are limited per client and per address."""
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from services.audit import AuditEntry
from tests.factories.accounts import (PASSWORD, confirmation_token, make_user, register_via_api,
                                      reset_token)
from tests.factories.app import make_app
from tests.factories.orders import T0
from tests.factories.passwords import CountingPasswords
from tests.factories.races import race_clients

pytestmark = pytest.mark.usefixtures("fast_passwords")

NEW_PASSWORD = "a brand new password"
RESET = "/api/v1/accounts/password-reset"
CONFIRM = "/api/v1/accounts/password-reset/confirm"


def _ask(client, email, **environ):
    return client.post(RESET, json={"email": email}, environ_base=environ)


def _reset(client, token, new_password=NEW_PASSWORD):
    return client.post(CONFIRM, json={"token": token, "new_password": new_password})


def _login(client, email, password):
    return client.post("/api/v1/accounts/login", json={"email": email, "password": password})


def _mail_to(inbox, email):
    return [m for m in inbox.messages if m["to"] == [email]]


def _audit(session, action):
    session.expire_all()
    rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    session.rollback()
    return rows


def test_every_address_gets_the_same_answer_and_only_a_confirmed_account_a_code(ship_client, session, inbox,
                                                                               freeze):
    at = freeze(T0)
    assert register_via_api(ship_client, email="pending@example.cn").status_code == 202
    at.advance(timedelta(hours=1))
    owner = make_user(session, email="owner@example.cn")
    session.commit()
    inbox.messages.clear()
    answers = [_ask(ship_client, e) for e in ("Owner@Example.cn", "pending@example.cn", "nobody@example.cn")]
    assert [r.status_code for r in answers] == [202] * 3
    assert len({r.data for r in answers}) == 1 and len({r.headers["Content-Type"] for r in answers}) == 1
    assert answers[0].json == {"status": "reset_requested",
                               "detail": "If an account has this address, we emailed it the next step."}
    # The confirmed owner: a reset code, by email.
    [mail] = _mail_to(inbox, "owner@example.cn")
    code = reset_token(session, "owner@example.cn")
    assert code in mail["body"] and CONFIRM in mail["body"] and "30" in mail["body"]
    # The unconfirmed account: a fresh confirmation code (no reset code), which activates it with
    # the password it registered with.
    [mail] = _mail_to(inbox, "pending@example.cn")
    assert reset_token(session, "pending@example.cn") is None
    assert confirmation_token(session, "pending@example.cn") in mail["body"]
    r = ship_client.post("/api/v1/accounts/confirm-email", json={"token": confirmation_token(session, "pending@example.cn")})
    assert r.status_code == 200
    assert _login(ship_client, "pending@example.cn", "a long password").status_code == 200
    # The unknown address: nothing sent; every request left one audit row, none naming the address.
    assert _mail_to(inbox, "nobody@example.cn") == []
    rows = _audit(session, "account.password_reset_requested")
    assert sorted(str(row.after["sent"]) for row in rows) == ["None", "confirm_email", "password_reset"]
    assert all(row.target_type == "email" and "@" not in row.target_id for row in rows)
    # Nothing changed on the owner's account.
    assert _login(ship_client, "owner@example.cn", PASSWORD).status_code == 200
    assert ship_client.get("/api/v1/accounts/me", headers=owner.headers).status_code == 200


def test_asking_hashes_no_password_for_any_address(ship_client, session, fast_passwords):
    make_user(session, email="owner@example.cn")
    session.commit()
    counting = fast_passwords.use(CountingPasswords())
    for email in ("owner@example.cn", "nobody@example.cn"):
        assert _ask(ship_client, email).status_code == 202
    assert counting.hashed == 0


def test_every_request_starts_the_sending_job_whatever_the_address(db_url, instance_dir, redis_url, session):
    """With a job queue (production), a known address's request must not be told apart by the
    delivery job it enqueues: every request enqueues it once."""
    make_user(session, email="owner@example.cn")
    session.commit()
    c = make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=False).test_client()
    queue = Queue("default", connection=Redis.from_url(redis_url))
    queue.empty()
    try:
        for email in ("owner@example.cn", "nobody@example.cn"):
            before = queue.count
            assert _ask(c, email).status_code == 202
            assert queue.count - before == 1, email
    finally:
        queue.empty()
    assert reset_token(session, "owner@example.cn")


def test_the_code_sets_a_new_password_and_ends_every_login(ship_client, session, inbox):
    owner = make_user(session, email="owner@example.cn")
    other_login = _login(ship_client, "owner@example.cn", PASSWORD).json
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    inbox.messages.clear()

    r = _reset(ship_client, code)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "password_changed" and r.json["email"] == "owner@example.cn"
    # The old password, the old access token and both old refresh tokens stop working.
    assert _login(ship_client, "owner@example.cn", PASSWORD).json["code"] == "bad_credentials"
    assert ship_client.get("/api/v1/accounts/me", headers=owner.headers).status_code == 401
    for refresh in (owner.refresh_token, other_login["refresh_token"]):
        assert ship_client.post("/api/v1/accounts/refresh", json={"refresh_token": refresh}).status_code == 401
    new = _login(ship_client, "owner@example.cn", NEW_PASSWORD)
    assert new.status_code == 200
    # The owner is told by email (and in the feed), and the reset is audited as theirs.
    [mail] = _mail_to(inbox, "owner@example.cn")
    assert "password" in mail["body"].lower() and "signed out" in mail["body"] and code not in mail["body"]
    feed = ship_client.get("/api/v1/notifications?lang=en",
                           headers={"Authorization": f"Bearer {new.json['access_token']}"}).json["items"]
    assert [n["kind"] for n in feed][:2] == ["password_changed", "password_reset"]
    [row] = _audit(session, "account.password_reset")
    assert row.actor_id == owner.id and row.target_id == str(owner.id)
    # Single use: the code is spent.
    r = _reset(ship_client, code, "yet another password")
    assert r.status_code == 422 and r.json["code"] == "token_invalid" and "token" in r.json["errors"]
    assert _login(ship_client, "owner@example.cn", NEW_PASSWORD).status_code == 200


def test_codes_that_are_forged_tampered_or_of_another_kind_are_refused(ship_client, session):
    owner = make_user(session, email="owner@example.cn")
    other = make_user(session)
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    user_hex, expires, sig = code.split(".")
    # A sign-up confirmation code of the same, unchanged account is not a reset code.
    assert register_via_api(ship_client, email="late@example.cn").status_code == 202
    signup_code = confirmation_token(session, "late@example.cn")
    assert ship_client.application.test_cli_runner().invoke(
        args=["confirm-email", "--email", "late@example.cn"]).exit_code == 0
    for bad in (f"{user_hex}.{int(expires) + 3600}.{sig}", f"{user_hex}.{expires}.{sig[:-2]}AA",
                f"{other.id.hex}.{expires}.{sig}", signup_code, "garbage", "a.b.c", "." * 5):
        r = _reset(ship_client, bad)
        assert r.status_code == 422 and r.json["code"] == "token_invalid", (bad, r.json)
        assert r.mimetype == "application/problem+json" and list(r.json["errors"]) == ["token"]
    assert _login(ship_client, "owner@example.cn", PASSWORD).status_code == 200
    assert _login(ship_client, "late@example.cn", "a long password").status_code == 200
    assert owner.id.hex == user_hex


def test_a_code_expires_after_password_reset_minutes(ship_client, session, freeze):
    at = freeze(T0)
    make_user(session, email="owner@example.cn")
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    at.advance(timedelta(minutes=30, seconds=1))
    r = _reset(ship_client, code)
    assert r.status_code == 422 and r.json["code"] == "token_expired" and "token" in r.json["errors"]
    assert _login(ship_client, "owner@example.cn", PASSWORD).status_code == 200
    # A new request gives a new code that works until its own end.
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    fresh = reset_token(session, "owner@example.cn")
    at.advance(timedelta(minutes=30))
    assert _reset(ship_client, fresh).status_code == 200


def test_a_weak_password_is_refused_and_does_not_spend_the_code(ship_client, session):
    make_user(session, email="owner@example.cn")
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    for weak in ("short", "x" * 201):
        r = _reset(ship_client, code, weak)
        assert r.status_code == 422 and list(r.json["errors"]) == ["new_password"], r.json
    assert _reset(ship_client, code).status_code == 200


def test_of_two_outstanding_codes_using_one_spends_the_other(ship_client, session, freeze):
    at = freeze(T0)
    make_user(session, email="owner@example.cn")
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    first = reset_token(session, "owner@example.cn")
    at.advance(timedelta(minutes=1))
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    second = reset_token(session, "owner@example.cn")
    assert first != second
    # Asking again invalidated nothing: the first code still works...
    assert _reset(ship_client, first).status_code == 200
    # ...and using it changed the password hash, which spends the second.
    r = _reset(ship_client, second, "the attacker's choice")
    assert r.status_code == 422 and r.json["code"] == "token_invalid"
    assert _login(ship_client, "owner@example.cn", NEW_PASSWORD).status_code == 200


def test_a_password_change_spends_outstanding_codes(ship_client, session):
    owner = make_user(session, email="owner@example.cn")
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    r = ship_client.post("/api/v1/accounts/me/password", headers=owner.headers,
                         json={"current_password": PASSWORD, "new_password": "changed by the owner"})
    assert r.status_code == 204
    assert _reset(ship_client, code).json["code"] == "token_invalid"
    assert _login(ship_client, "owner@example.cn", "changed by the owner").status_code == 200


def test_one_code_used_by_two_clients_at_once_succeeds_once(ship_app, session):
    make_user(session, email="owner@example.cn")
    session.commit()
    client = ship_app.test_client()
    assert _ask(client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    answers = race_clients(ship_app, 2, lambda c, i: _reset(c, code, f"password of client {i}"))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 422], [r.json for r in answers]
    winner = next(i for i, r in enumerate(answers) if r.status_code == 200)
    assert _login(client, "owner@example.cn", f"password of client {winner}").status_code == 200
    assert _login(client, "owner@example.cn", f"password of client {1 - winner}").status_code == 401
    assert len(_audit(session, "account.password_reset")) == 1


def test_the_feed_never_shows_the_code_and_security_mail_cannot_be_switched_off(ship_client, session):
    owner = make_user(session, email="owner@example.cn")
    session.commit()
    assert _ask(ship_client, "owner@example.cn").status_code == 202
    code = reset_token(session, "owner@example.cn")
    for lang in ("zh", "en"):
        [note] = ship_client.get(f"/api/v1/notifications?lang={lang}", headers=owner.headers).json["items"]
        assert note["kind"] == "password_reset" and code not in note["body"] and code.split(".")[2] not in note["body"]
    for choice in ({"email": False}, {"sms": True}):
        r = ship_client.put("/api/v1/notifications/preferences", headers=owner.headers,
                            json={"kinds": {"password_reset": choice}})
        assert r.status_code == 422 and "password_reset" in r.json["errors"], r.json
    prefs = ship_client.get("/api/v1/notifications/preferences", headers=owner.headers).json["kinds"]
    assert {k: prefs["password_reset"][k] for k in ("email", "sms")} == {"email": True, "sms": False}


def _limited(db_url, instance_dir, **cfg):
    return make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, REDIS_URL=None, **cfg).test_client()


def test_requests_for_one_address_are_limited_whatever_the_client(db_url, instance_dir, session):
    make_user(session, email="victim@example.cn")
    session.commit()
    c = _limited(db_url, instance_dir, RATE_LIMIT_AUTH="100/minute", RATE_LIMIT_PASSWORD_RESET="3/hour")
    codes = [_ask(c, "Victim@Example.cn" if i % 2 else "victim@example.cn", REMOTE_ADDR=f"10.1.0.{i}").status_code
             for i in range(5)]
    assert codes == [202, 202, 202, 429, 429], codes
    # Another address is not held back by the victim's limit, and an unknown one counts the same.
    assert _ask(c, "someone.else@example.cn", REMOTE_ADDR="10.1.0.9").status_code == 202
    assert [_ask(c, "nobody@example.cn").status_code for _ in range(4)] == [202, 202, 202, 429]


def test_requests_from_one_client_are_limited_whatever_the_address(db_url, instance_dir):
    c = _limited(db_url, instance_dir, RATE_LIMIT_AUTH="3/minute", RATE_LIMIT_PASSWORD_RESET="100/hour")
    codes = [_ask(c, f"person{i}@example.cn", REMOTE_ADDR="10.2.0.1").status_code for i in range(5)]
    assert codes == [202, 202, 202, 429, 429], codes
    assert _ask(c, "person9@example.cn", REMOTE_ADDR="10.2.0.2").status_code == 202


def test_both_endpoints_are_documented(client):
    spec = client.get("/api/openapi.json").json
    ask, confirm = spec["paths"]["/api/v1/accounts/password-reset"]["post"], spec["paths"][CONFIRM]["post"]
    assert ask["security"] == [] and confirm["security"] == []
    assert "202" in ask["responses"] and "200" in confirm["responses"] and "422" in confirm["responses"]
    schemas = spec["components"]["schemas"]
    body = confirm["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[body]["required"]) == {"token", "new_password"}
    assert schemas[body]["properties"]["new_password"]["minLength"] == 10
