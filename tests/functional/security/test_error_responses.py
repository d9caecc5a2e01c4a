"""Every refusal reads the same way: problem+json with a `code`, whichever layer refused.

Before, a schema's 422, an unreadable body's 400, an unknown URL's 404 and a 405 came without
`code` (type `/problems/422`), while a service's 422 said `validation_failed`: a client had to
branch on both shapes, and the 400 told an API caller about "the browser (or proxy)"."""
import io

import pytest

from tests.factories.listings import fridge_payload

PROBLEM = "application/problem+json"


def _problem(r, status, code):
    assert r.status_code == status and r.mimetype == PROBLEM, (r.status_code, r.data[:300])
    body = r.json
    assert body["code"] == code and body["type"] == f"/problems/{code}" and body["status"] == status, body
    assert "Traceback" not in r.get_data(as_text=True) and "sqlalchemy" not in r.get_data(as_text=True).lower()
    return body


def test_a_schema_refusal_and_a_service_refusal_carry_the_same_code(client, consumer):
    schema = client.post("/api/v1/listings", json=fridge_payload(price_fen=-5, status="published"),
                         headers=consumer.headers)
    body = _problem(schema, 422, "validation_failed")
    assert set(body["errors"]) == {"price_fen", "status"}
    service = client.post("/api/v1/listings", json=fridge_payload(description="加微信 abc_123456"),
                          headers=consumer.headers)
    assert _problem(service, 422, "validation_failed")["errors"]["description"]
    assert body["title"] == service.json["title"]


def test_a_body_that_is_not_json_is_a_400_saying_so(client, consumer):
    r = client.post("/api/v1/listings", data="{not json",
                    headers={**consumer.headers, "Content-Type": "application/json"})
    body = _problem(r, 400, "bad_request")
    assert "JSON" in body["detail"] and "browser" not in body["detail"]


@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/api/v1/no-such-thing", 404, "not_found"),
    ("delete", "/api/v1/search", 405, "method_not_allowed"),
])
def test_unknown_urls_and_methods_carry_a_code(client, method, path, status, code):
    _problem(getattr(client, method)(path), status, code)


def test_an_upload_over_the_limit_is_a_413_naming_the_limit(app_with, session, consumer):
    small = app_with(MAX_CONTENT_LENGTH=2000).test_client()
    lid = small.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    r = small.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(b"x" * 5000), "a.jpg")},
                   headers=consumer.headers, content_type="multipart/form-data")
    body = _problem(r, 413, "body_too_large")
    assert "2000 bytes" in body["detail"], body
