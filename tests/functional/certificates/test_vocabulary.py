"""One vocabulary across domains: a phone is `mobile_phone` in listings, certificates, wipe requests
and the subsidy rules alike; older names are still accepted where the document lists them as
aliases, and already-signed certificates keep their payloads."""
import pytest

from services.listings import attributes
from subsidies import vocabulary as subsidy_vocabulary
from tests.factories.certificates import IMEI_1, intake, wipe_report
from tests.factories.listings import imei

# The listing kinds, and the auto parts the subsidy engine quotes for 以旧换再 (sold as category
# `other` with a free-text kind; not data-bearing devices).
VOCABULARY = {kind for kinds in attributes.KINDS.values() for kind in kinds} | {
    kind for kind, category in subsidy_vocabulary.KIND_CATEGORY.items() if category == "auto_part"}
# Names that say "this enum names devices" when they appear among its values.
DEVICE_WORDS = {"mobile_phone", "phone", "tablet", "laptop", "drive", "storage_drive", "smartwatch"}


def _enums(node, path=""):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield path, node
        for k, v in node.items():
            yield from _enums(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _enums(v, f"{path}[{i}]")


def test_every_enum_naming_device_kinds_uses_the_listing_vocabulary(client):
    doc = client.get("/api/openapi.json").json
    checked = []
    for path, schema in _enums(doc):
        values = {str(v) for v in schema["enum"]}
        if not values & DEVICE_WORDS:
            continue
        aliases = schema.get("x-aliases", {})
        assert set(aliases.values()) <= VOCABULARY, path
        strays = values - VOCABULARY - set(aliases)
        assert not strays, f"{path} names devices outside the shared vocabulary: {sorted(strays)}"
        checked.append(path)
    # Listings, certificates, wipe requests and the subsidy rules were all looked at.
    assert any("DeviceIn" in p for p in checked) and any("/Device/" in p for p in checked)
    assert any("QuotePurchase" in p for p in checked) and any("Electronics" in p for p in checked)


@pytest.mark.parametrize("name", ["mobile_phone", "phone"])
def test_a_certificate_takes_either_name_and_signs_the_original(client, session, team, name):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    r = client.post("/api/v1/certificates/requests", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True, kind=name))
    assert r.status_code == 201, r.json
    cert = client.post(f"/api/v1/certificates/requests/{r.json['id']}/approve", headers=validator.headers).json
    verified = client.get(f"/api/v1/certificates/{cert['id']}/verify").json
    # The signed payload is what it always was, so earlier certificates and verifiers still agree.
    assert verified["signature_valid"] and verified["valid"]
    assert cert["envelope"]["payload"]["device"]["kind"] == "phone"


def test_an_unknown_kind_is_a_422_listing_the_accepted_names(client, session, team):
    tech, validator, _ = team
    r = client.post("/api/v1/certificates/requests", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True, kind="smartphone"))
    assert r.status_code == 422
    message = " ".join(r.json["errors"]["device.kind"])
    assert "mobile_phone" in message and "phone" in message


@pytest.mark.parametrize("name", ["mobile_phone", "phone"])
def test_a_wipe_request_takes_either_name_and_answers_in_the_shared_one(client, session, consumer, team, name):
    tech, _, _ = team
    body = {"recycler_org_id": str(tech.org_id), "mode": "drop_off",
            "device": {"kind": name, "make": "Apple", "model": "iPhone 13", "imei": imei()}}
    r = client.post("/api/v1/wipe-requests", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    assert r.json["device"]["kind"] == "mobile_phone"
