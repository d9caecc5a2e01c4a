"""Authorisation matrix.

1. Every operation in the OpenAPI document that is not marked public refuses an anonymous
   caller with 401 before anything else happens (new endpoints join automatically).
2. For each resource, the same request as anonymous, as the owner, as another user of the same
   role and as an operator gets the expected status.
"""
import uuid

import pytest

from tests.factories.listings import fridge_payload


def _operations(app):
    spec = app.test_client().get("/api/openapi.json").json
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def _fill(path: str) -> str:
    import re
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_every_private_operation_refuses_anonymous(app, client):
    checked = 0
    for path, method, op in _operations(app):
        public = op.get("security") == []
        r = client.open(_fill(path), method=method.upper(), json={})
        if public:
            assert r.status_code != 401, f"{method} {path} is documented public but asked for auth"
        else:
            assert r.status_code == 401, f"{method.upper()} {path} answered {r.status_code} to an anonymous caller"
            assert r.mimetype == "application/problem+json"
        checked += 1
    assert checked >= 20


def test_a_bad_token_is_401_even_on_public_endpoints(client):
    r = client.get("/api/v1/listings", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


@pytest.fixture
def draft(client, consumer):
    return client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json


ANON, OWNER, OTHER, OPERATOR = "anonymous", "owner", "other", "operator"


@pytest.mark.parametrize("method,path,body,expected", [
    # a draft listing: visible to its seller and operators only
    ("GET", "/api/v1/listings/{id}", None, {ANON: 404, OWNER: 200, OTHER: 404, OPERATOR: 200}),
    ("PATCH", "/api/v1/listings/{id}", {"price_fen": 120000}, {ANON: 401, OWNER: 200, OTHER: 404, OPERATOR: 403}),
    ("POST", "/api/v1/listings/{id}/transitions", {"action": "submit"}, {ANON: 401, OWNER: 200, OTHER: 404, OPERATOR: 403}),
    ("POST", "/api/v1/listings/{id}/transitions", {"action": "approve"}, {ANON: 401, OWNER: 403, OTHER: 403, OPERATOR: 409}),
    ("GET", "/api/v1/listings/{id}/price-history", None, {ANON: 404, OWNER: 200, OTHER: 404, OPERATOR: 200}),
    ("GET", "/api/v1/listings?mine=true", None, {ANON: 403, OWNER: 200, OTHER: 200, OPERATOR: 200}),
    ("GET", "/api/v1/listings?status=pending_review", None, {ANON: 403, OWNER: 403, OTHER: 403, OPERATOR: 200}),
    ("GET", "/api/v1/accounts/me", None, {ANON: 401, OWNER: 200, OTHER: 200, OPERATOR: 200}),
    ("GET", "/api/v1/accounts/identity-reviews", None, {ANON: 401, OWNER: 403, OTHER: 403, OPERATOR: 200}),
    ("GET", "/api/v1/audit-log", None, {ANON: 401, OWNER: 403, OTHER: 403, OPERATOR: 200}),
    ("POST", "/api/v1/accounts/{seller}/identity-review", {"decision": "verified"}, {ANON: 401, OWNER: 403, OTHER: 403, OPERATOR: 409}),
])
def test_listing_and_account_matrix(client, consumer, other_consumer, operator, draft, method, path, body, expected):
    actors = {ANON: {}, OWNER: consumer.headers, OTHER: other_consumer.headers, OPERATOR: operator.headers}
    for who, status in expected.items():
        url = path.format(id=draft["id"], seller=consumer.id)
        r = client.open(url, method=method, json=body, headers=actors[who])
        assert r.status_code == status, f"{who}: {method} {url} -> {r.status_code} {r.json}"


def test_organisation_matrix(client, session, retailer, operator):
    from services.accounts.models import Role
    from tests.factories.accounts import make_user
    other_retailer = make_user(session, Role.RETAILER)
    url = f"/api/v1/organizations/{retailer.org_id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=retailer.headers).status_code == 200
    assert client.get(url, headers=other_retailer.headers).status_code == 404
    assert client.get(url, headers=operator.headers).status_code == 200
