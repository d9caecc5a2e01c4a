from datetime import timedelta

import pytest

from services import clock
from tests.factories.certificates import (IMEI_1, IMEI_2, LUHN_BAD_IMEI, OTHER_IMEI, PHONE_SERIAL,
                                          TOOL, intake, wipe_report)
from tests.fixtures.clock import TEST_CLOCK

API = "/api/v1/certificates"


def _submit(client, tech, validator, **over):
    return client.post(f"{API}/requests", json=wipe_report(validator.id, as_json=True, **over),
                       headers=tech.headers)


def _issue(client, team, **over):
    tech, validator, _ = team
    r = _submit(client, tech, validator, **over)
    assert r.status_code == 201, r.json
    r = client.post(f"{API}/requests/{r.json['id']}/approve", headers=validator.headers)
    assert r.status_code == 201, r.json
    return r.json


@pytest.mark.smoke  # also on SQLite, the embedded default
def test_issue_then_verify_publicly(client, session, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    r = _submit(client, tech, validator)
    assert r.status_code == 201 and r.json["status"] == "pending"
    assert r.headers["Location"].endswith(r.json["id"])
    assert IMEI_1 not in r.get_data(as_text=True) and PHONE_SERIAL not in r.get_data(as_text=True)
    cert = client.post(f"{API}/requests/{r.json['id']}/approve", headers=validator.headers).json
    env = cert["envelope"]
    assert cert["status"] == "valid" and env["alg"] == "Ed25519" and env["signature"]
    assert env["payload"]["certificate_id"] == cert["id"] == r.json["certificate_id"]
    assert env["payload"]["custody_event_ids"]

    v = client.get(f"{API}/{cert['id']}/verify")  # anonymous
    assert v.status_code == 200
    assert v.json["valid"] and v.json["signature_valid"] and v.json["status"] == "valid"
    assert v.json["kid"] == env["kid"] and v.json["key_status"] == "active"
    assert v.json["device"]["imeis"] == ["****7518"] and v.json["device_match"] is None
    assert "hash" not in v.get_data(as_text=True)
    assert client.get(f"{API}/{cert['id']}/verify", query_string={"imei": IMEI_1}).json["device_match"]
    assert client.get(f"{API}/{cert['id']}/verify",
                      query_string={"imei": OTHER_IMEI}).json["device_match"] is False
    assert client.get(f"{API}/{cert['id']}/verify",
                      query_string={"serial": PHONE_SERIAL}).json["device_match"]

    keys = client.get(f"{API}/keys").json
    assert [k["kid"] for k in keys] == [env["kid"]] and keys[0]["public_key"]
    pdf = client.get(f"{API}/{cert['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")


def test_the_signed_record_is_for_the_issuer_and_operators_only(client, session, team, consumer):
    tech, validator, operator = team
    intake(session, tech, imei=IMEI_1)
    cert = _issue(client, team)
    for who in (tech, validator, operator):
        assert client.get(f"{API}/{cert['id']}", headers=who.headers).status_code == 200
    assert client.get(f"{API}/{cert['id']}", headers=consumer.headers).status_code == 404
    assert client.get(f"{API}/{cert['id']}").status_code == 401


@pytest.mark.parametrize("over,code", [
    ({"imeis": [LUHN_BAD_IMEI]}, "IMEI_INVALID"),
    ({"technique": "factory_reset", "level": "clear"}, "LEVEL_BELOW_REQUIRED"),
    ({"technique": "factory_reset"}, "LEVEL_OVERSTATED"),
    ({"verification": {"method": "none", "result": "passed"}}, "VERIFICATION_NONE"),
    ({"encrypted_from_first_use": False}, "CE_NOT_ENCRYPTED_FROM_FIRST_USE"),
    ({"tool": {"name": "nwipe", "version": "0.34"}}, "TOOL_NOT_ALLOWED"),
    ({"wiped_at": "before-custody"}, "WIPE_BEFORE_CUSTODY"),
])
def test_each_refusal_names_its_rule(client, session, team, over, code):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1 if "imeis" not in over else over["imeis"][0])
    if over.get("wiped_at") == "before-custody":
        over = {"wiped_at": clock.now(session) - timedelta(days=3)}
    r = _submit(client, tech, validator, **over)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json" and r.json["code"] == "certificate_refused"
    assert code in [x["code"] for x in r.json["refusals"]]
    assert any(code in m for msgs in r.json["errors"].values() for m in msgs)


def test_no_intake_no_certificate(client, team):
    tech, validator, _ = team
    r = _submit(client, tech, validator)
    assert r.status_code == 422 and "CUSTODY_MISSING" in [x["code"] for x in r.json["refusals"]]


def test_a_seller_cannot_certify_their_own_device(client, session, team):
    """The technician's colleague sells the phone under their shared organisation: the
    technician may not certify it (only verified recyclers certify; retailers are refused 403)."""
    from tests.factories.listings import phone_payload
    tech, validator, _ = team
    payload = {**phone_payload(), "org_id": str(tech.org_id)}
    payload["attributes"]["imei"] = IMEI_1
    r = client.post("/api/v1/listings", json=payload, headers=validator.headers)
    assert r.status_code == 201 and r.json["org_id"] == str(tech.org_id)
    intake(session, tech, imei=IMEI_1)
    r = _submit(client, tech, validator, serial=None)
    assert r.status_code == 422
    assert "SELF_CERTIFICATION" in [x["code"] for x in r.json["refusals"]]


def test_who_may_issue_and_approve(client, session, team, consumer, recycler):
    tech, validator, operator = team
    intake(session, tech, imei=IMEI_1)
    assert client.post(f"{API}/requests", json=wipe_report(validator.id, as_json=True)).status_code == 401
    assert _submit(client, consumer, validator).status_code == 403
    # a validator from another recycler is not a second person of this process
    r = _submit(client, tech, recycler)
    assert r.status_code == 422 and "validator_id" in r.json["errors"]
    assert _submit(client, tech, tech).status_code == 422  # no self-validation
    req = _submit(client, tech, validator).json
    assert client.post(f"{API}/requests/{req['id']}/approve", headers=tech.headers).status_code == 403
    assert client.post(f"{API}/requests/{req['id']}/approve", headers=consumer.headers).status_code == 403
    assert client.get(f"{API}/requests/{req['id']}", headers=recycler.headers).status_code == 404
    r = client.post(f"{API}/requests/{req['id']}/reject", json={"reason": "photo of screen missing"},
                    headers=validator.headers)
    assert r.status_code == 200 and r.json["status"] == "rejected"
    r = client.post(f"{API}/requests/{req['id']}/approve", headers=validator.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"


def test_one_device_one_current_certificate_and_corrections(client, session, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    first = _issue(client, team)
    r = _submit(client, tech, validator)
    assert r.status_code == 409 and r.json["code"] == "device_already_certified"
    assert r.json["certificate_id"] == first["id"]
    # a correction for another IMEI is refused: a certificate never moves to another device
    intake(session, tech, imei=OTHER_IMEI)
    r = client.post(f"{API}/{first['id']}/corrections", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True, imeis=[OTHER_IMEI]))
    assert r.status_code == 422 and r.json["refusals"][0]["code"] == "CERTIFICATE_FOR_OTHER_DEVICE"
    r = client.post(f"{API}/{first['id']}/corrections", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True, imeis=[IMEI_1, IMEI_2]))
    assert r.status_code == 201 and r.json["supersedes_id"] == first["id"]
    second = client.post(f"{API}/requests/{r.json['id']}/approve", headers=validator.headers).json
    old = client.get(f"{API}/{first['id']}/verify").json
    assert old["status"] == "superseded" and not old["valid"] and old["signature_valid"]
    assert old["superseded_by"] == second["id"]
    new = client.get(f"{API}/{second['id']}/verify").json
    assert new["valid"] and new["supersedes"] == first["id"]
    # the superseded one cannot be corrected again
    r = client.post(f"{API}/{first['id']}/corrections", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True))
    assert r.status_code == 409


def test_revocation_needs_an_operator_and_a_reason(client, session, team):
    tech, validator, operator = team
    intake(session, tech, imei=IMEI_1)
    cert = _issue(client, team)
    url = f"{API}/{cert['id']}/revocations"
    assert client.post(url, json={"reason": "wrong device"}, headers=tech.headers).status_code == 403
    assert client.post(url, json={}, headers=operator.headers).status_code == 422
    r = client.post(url, json={"reason": "wiped the wrong handset"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "revoked"
    v = client.get(f"{API}/{cert['id']}/verify").json
    assert v["status"] == "revoked" and v["status_reason"] == "wiped the wrong handset"
    assert not v["valid"] and v["signature_valid"]
    assert client.post(url, json={"reason": "again"}, headers=operator.headers).status_code == 409
    # The issuing organisation's credit record counts the revocation, once.
    from sqlalchemy import select
    from services.credit.events import CreditEvent
    revoked = session.scalars(select(CreditEvent).where(CreditEvent.kind == "wipe_certificate_revoked")).all()
    assert [(e.subject_id, e.ref_id) for e in revoked] == [(next(iter(tech.user.org_ids())), cert["id"])]
    # the device is free for a fresh certificate
    assert _submit(client, tech, validator).status_code == 201


def test_a_revoked_signing_key_revokes_its_certificates(client, session, team):
    tech, validator, operator = team
    intake(session, tech, imei=IMEI_1)
    cert = _issue(client, team)
    kid = cert["envelope"]["kid"]
    url = f"{API}/keys/{kid}/revocations"
    assert client.post(url, json={"reason": "leak"}, headers=tech.headers).status_code == 403
    r = client.post(url, json={"reason": "key leaked in incident 17"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "revoked"
    v = client.get(f"{API}/{cert['id']}/verify").json
    assert v["status"] == "revoked" and v["key_status"] == "revoked" and not v["valid"]
    assert "key leaked in incident 17" in v["status_reason"]
    # nothing more is signed with it until the keys are rotated
    intake(session, tech, imei=IMEI_2)
    req = _submit(client, tech, validator, imeis=[IMEI_2], serial=None).json
    r = client.post(f"{API}/requests/{req['id']}/approve", headers=validator.headers)
    assert r.status_code == 503 and r.json["code"] == "signing_key_revoked"
    assert client.post(f"{API}/keys/nope/revocations", json={"reason": "x" * 5},
                       headers=operator.headers).status_code == 404


def test_tool_allow_list_is_kept_by_operators(client, team):
    tech, _, operator = team
    body = {"name": "nwipe", "version": "0.38", "assurance": "ADISA product assurance 2025"}
    assert client.post(f"{API}/tools", json=body, headers=tech.headers).status_code == 403
    r = client.post(f"{API}/tools", json=body, headers=operator.headers)
    assert r.status_code == 201 and r.json["active"]
    assert client.post(f"{API}/tools", json=body, headers=operator.headers).status_code == 409
    names = {(t["name"], t["version"]) for t in client.get(f"{API}/tools", headers=tech.headers).json}
    assert names == {("nwipe", "0.38"), (TOOL.name, TOOL.version)}
    assert client.get(f"{API}/tools").status_code == 401
    assert client.delete(f"{API}/tools/{r.json['id']}", headers=tech.headers).status_code == 403
    assert client.delete(f"{API}/tools/{r.json['id']}", headers=operator.headers).status_code == 204
    assert client.delete(f"{API}/tools/{r.json['id']}", headers=operator.headers).status_code == 404


def test_custody_events(client, team, consumer):
    tech, _, _ = team
    body = {"kind": "intake", "at": TEST_CLOCK.now().isoformat(), "imei": IMEI_1, "note": "以旧换新 收货"}
    assert client.post(f"{API}/custody-events", json=body, headers=consumer.headers).status_code == 403
    r = client.post(f"{API}/custody-events", json=body, headers=tech.headers)
    assert r.status_code == 201 and r.json["device_masked"] == "****7518"
    assert IMEI_1 not in r.get_data(as_text=True)
    future = {**body, "at": (TEST_CLOCK.now() + timedelta(days=1)).isoformat()}
    assert client.post(f"{API}/custody-events", json=future, headers=tech.headers).status_code == 422
    no_id = {"kind": "intake", "at": TEST_CLOCK.now().isoformat()}
    assert client.post(f"{API}/custody-events", json=no_id, headers=tech.headers).status_code == 422
    naive = {**body, "at": "2026-01-01T10:00:00"}
    assert client.post(f"{API}/custody-events", json=naive, headers=tech.headers).status_code == 422


@pytest.mark.parametrize("body", [
    {}, {"device": "x"}, {"device": {"kind": "toaster"}},
    {"media": [{"capacity_bytes": 1.5}]}, [], "not json",
])
def test_garbage_is_a_422_not_a_500(client, team, body):
    tech, _, _ = team
    r = client.post(f"{API}/requests", json=body, headers=tech.headers)
    assert r.status_code == 422, r.json


def test_unknown_ids_are_404(client, team):
    tech, validator, _ = team
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{API}/{missing}/verify").status_code == 404
    assert client.get(f"{API}/{missing}/pdf").status_code == 404
    assert client.post(f"{API}/requests/{missing}/approve", headers=validator.headers).status_code == 404
    assert client.get("/verify/" + missing).status_code == 404
    assert client.get(f"{API}/not-a-uuid/verify").status_code == 404
    # a link mistyped from a paper certificate answers the page a person reads, not JSON
    for typo in ("0000000-0000-4000-8000-00000000000", "abc<script>"):
        r = client.get("/verify/" + typo)
        assert r.status_code == 404 and r.mimetype == "text/html", typo
        assert "<script>" not in r.get_data(as_text=True)
