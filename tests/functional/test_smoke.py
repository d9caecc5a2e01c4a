import re

import pytest

from tests.factories.accounts import register_and_confirm
from tests.factories.certificates import certify
from tests.factories.listings import phone_payload

pytestmark = pytest.mark.smoke


def test_health_and_openapi(client):
    assert client.get("/healthz").json == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json["components"]["database"]["status"] == "up"
    spec = client.get("/api/openapi.json").json
    ops = [op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert ops and all(op.get("operationId") and op.get("tags") for op in ops)


def test_api_docs_work_offline(client):
    """/api/docs loads Swagger UI from the app itself, never from a CDN, so it renders on a
    machine without internet access."""
    page = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets and all(a.startswith("/api/docs/assets/") for a in assets), assets
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.data) > 1000, asset
    assert client.get("/api/docs/assets/../../openapi.json").status_code == 404


def test_register_login_create_and_publish(app, session, client, operator):
    register_and_confirm(client, session, email="a@b.cn", password="longenough1", display_name="A")
    r = client.post("/api/v1/accounts/login", json={"email": "a@b.cn", "password": "longenough1"})
    assert r.status_code == 200
    h = {"Authorization": f"Bearer {r.json['access_token']}"}
    payload = phone_payload()
    certify(session, app.extensions["huanxin.cert_keyring"], imei=payload["attributes"]["imei"],
            serial=payload["attributes"]["serial_number"])  # the data-wipe publish gate
    r = client.post("/api/v1/listings", json=payload, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["status"] == "draft" and r.json["device_masked"].startswith("****")
    lid = r.json["id"]
    assert client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"}, headers=h).json["status"] == "pending_review"
    r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "approve"}, headers=operator.headers)
    assert r.json["status"] == "published"
    assert client.get(f"/api/v1/listings/{lid}").status_code == 200
    assert client.get("/api/v1/listings").json["items"][0]["id"] == lid
