"""Accounts through the HTTP API: registration, tokens, real-name verification, organisations."""
import pytest

from services.accounts.models import Role
from tests.factories.accounts import PASSWORD, make_user, register_and_confirm

VALID_ID = "11010519491231002X"   # GB 11643 example number: valid checksum


def _register(client, **over):
    body = {"email": "li.lei@example.cn", "password": "a long password", "display_name": "李雷", "role": "consumer"}
    body.update(over)
    return client.post("/api/v1/accounts/register", json=body)


@pytest.mark.smoke
def test_register_then_login_refresh_logout(client, session):
    register_and_confirm(client, session)
    r = client.post("/api/v1/accounts/login", json={"email": "LI.LEI@example.cn", "password": "a long password"})
    assert r.status_code == 200 and r.json["token_type"] == "Bearer" and r.json["expires_in"] == 900
    access, refresh = r.json["access_token"], r.json["refresh_token"]
    h = {"Authorization": f"Bearer {access}"}
    assert client.get("/api/v1/accounts/me", headers=h).json["email"] == "li.lei@example.cn"
    r2 = client.post("/api/v1/accounts/refresh", json={"refresh_token": refresh})
    assert r2.status_code == 200
    # the old refresh token is spent; reusing it revokes the whole login
    assert client.post("/api/v1/accounts/refresh", json={"refresh_token": refresh}).status_code == 401
    h2 = {"Authorization": f"Bearer {r2.json['access_token']}"}
    assert client.get("/api/v1/accounts/me", headers=h2).status_code == 401


def test_logout_revokes_tokens(client, consumer):
    assert client.post("/api/v1/accounts/logout", headers=consumer.headers).status_code == 204
    r = client.get("/api/v1/accounts/me", headers=consumer.headers)
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert client.post("/api/v1/accounts/refresh", json={"refresh_token": consumer.refresh_token}).status_code == 401


def test_password_change_revokes_every_token(client, session, consumer):
    from services.accounts import service
    second = service.login(session, consumer.user.email, PASSWORD)
    session.commit()
    r = client.post("/api/v1/accounts/me/password", headers=consumer.headers,
                    json={"current_password": PASSWORD, "new_password": "another long one"})
    assert r.status_code == 204
    for tok in (consumer.token, second.access_token):
        assert client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    assert client.post("/api/v1/accounts/login", json={"email": consumer.user.email,
                                                       "password": "another long one"}).status_code == 200


def test_wrong_password_and_unknown_email_look_the_same(client, consumer):
    a = client.post("/api/v1/accounts/login", json={"email": consumer.user.email, "password": "nope"})
    b = client.post("/api/v1/accounts/login", json={"email": "ghost@example.cn", "password": "nope"})
    assert a.status_code == b.status_code == 401 and a.json["detail"] == b.json["detail"]


def test_password_is_hashed_with_argon2(session, consumer):
    assert consumer.user.password_hash.startswith("$argon2id$")


def test_registration_errors_are_field_by_field(client):
    r = _register(client, email="not-an-email", password="short", role="operator")
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert set(r.json["errors"]) == {"email", "password", "role"}
    first, again = _register(client), _register(client)   # an address with an account answers the same
    assert first.status_code == again.status_code == 202 and first.json == again.json


def test_retailer_registers_with_organisation(client, session):
    r = _register(client, email="shop@example.cn", role="retailer")
    assert r.status_code == 422 and "org_name" in r.json["errors"]
    r = register_and_confirm(client, session, email="shop@example.cn", role="retailer", org_name="国美 Gome")
    m = r.json["memberships"][0]
    assert m["role"] == "owner" and m["org_kind"] == "retailer"


def test_real_name_verification_flow(client, consumer, operator):
    bad = client.post("/api/v1/accounts/me/identity", json={"id_number": "110105194912310021"}, headers=consumer.headers)
    assert bad.status_code == 422 and "id_number" in bad.json["errors"]
    r = client.post("/api/v1/accounts/me/identity", json={"id_number": VALID_ID}, headers=consumer.headers)
    assert r.status_code == 200 and r.json["id_status"] == "pending"
    assert r.json["id_number_masked"].endswith("002X") and VALID_ID not in r.get_data(as_text=True)
    queue = client.get("/api/v1/accounts/identity-reviews", headers=operator.headers).json["items"]
    assert [u["id"] for u in queue] == [str(consumer.id)]
    assert client.get("/api/v1/accounts/identity-reviews", headers=consumer.headers).status_code == 403
    no_reason = client.post(f"/api/v1/accounts/{consumer.id}/identity-review", json={"decision": "rejected"},
                            headers=operator.headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    r = client.post(f"/api/v1/accounts/{consumer.id}/identity-review", json={"decision": "verified"},
                    headers=operator.headers)
    assert r.status_code == 200 and r.json["id_status"] == "verified"
    again = client.post(f"/api/v1/accounts/{consumer.id}/identity-review", json={"decision": "rejected", "reason": "x"},
                        headers=operator.headers)
    assert again.status_code == 409 and again.json["allowed"] == []
    audit = client.get(f"/api/v1/audit-log?target_id={consumer.id}", headers=operator.headers).json["items"]
    assert audit[0]["action"] == "identity.verified" and audit[0]["actor_id"] == str(operator.id)
    assert audit[0]["before"] == {"id_status": "pending"} and audit[0]["after"] == {"id_status": "verified"}


def test_same_id_number_cannot_verify_two_accounts(client, session, consumer):
    make_user(session, Role.CONSUMER, verified_id=VALID_ID)
    r = client.post("/api/v1/accounts/me/identity", json={"id_number": VALID_ID}, headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "identity_in_use"


def test_operators_create_operators(client, operator, consumer):
    body = {"email": "op2@huanxin.cn", "password": "a long password", "display_name": "Op 2"}
    assert client.post("/api/v1/accounts/operators", json=body, headers=consumer.headers).status_code == 403
    r = client.post("/api/v1/accounts/operators", json=body, headers=operator.headers)
    assert r.status_code == 201 and r.json["role"] == "operator"
