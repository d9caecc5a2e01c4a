"""Issued and refused certificates reach the credit domain as the issuing organisation's
wipe events, once each, without identifiers, and make its wipe_refusal_rate observable."""
import uuid

from sqlalchemy import func, select

from services.accounts.models import Role
from services.certificates.models import CertificateRequest
from services.credit import service as credit
from services.credit.events import CreditEvent
from tests.factories.accounts import make_user
from tests.factories.certificates import IMEI_1, IMEI_2, PHONE_SERIAL, intake, wipe_report

API = "/api/v1/certificates"
NO_TOOL = {"tool": {"name": "nwipe", "version": "0.34"}}  # TOOL_NOT_ALLOWED
NO_CHECK = {"verification": {"method": "none", "result": "passed"}}  # VERIFICATION_NONE


def _events(session, kind=None):
    session.expire_all()
    stmt = select(CreditEvent).order_by(CreditEvent.occurred_at)
    if kind:
        stmt = stmt.where(CreditEvent.kind == kind)
    return list(session.scalars(stmt))


def _post(client, tech, body, headers=None):
    return client.post(f"{API}/requests", json=body, headers={**tech.headers, **(headers or {})})


def test_an_issued_certificate_counts_once_for_the_technicians_organisation(client, session, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    req = _post(client, tech, wipe_report(validator.id, as_json=True)).json
    assert _events(session) == []  # a pending request is not a certificate yet
    url = f"{API}/requests/{req['id']}/approve"
    cert = client.post(url, headers=validator.headers).json
    assert client.post(url, headers=validator.headers).status_code == 409  # retried approval

    [ev] = _events(session)
    assert ev.kind == "wipe_certificate_ok" and ev.subject_id == tech.org_id
    assert (ev.ref_type, ev.ref_id) == ("certificate", cert["id"])
    assert ev.detail == {"device_kind": "phone", "destination": "resale", "correction": False}


def test_a_refusal_is_recorded_though_the_request_is_refused(client, session, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    body = wipe_report(validator.id, as_json=True, **NO_TOOL)
    r = _post(client, tech, body)
    assert r.status_code == 422 and r.json["code"] == "certificate_refused"
    # the same report again, plain and with an Idempotency-Key (a refusal is not replayed)
    assert _post(client, tech, body).status_code == 422
    assert _post(client, tech, body, {"Idempotency-Key": "k-1"}).status_code == 422
    assert _post(client, tech, body, {"Idempotency-Key": "k-1"}).status_code == 422

    [ev] = _events(session)
    assert ev.kind == "wipe_certificate_refused" and ev.subject_id == tech.org_id
    assert ev.ref_type == "certificate_report" and len(ev.ref_id) == 64
    assert ev.detail == {"codes": ["TOOL_NOT_ALLOWED"], "device_kind": "phone",
                         "destination": "resale"}
    stored = f"{ev.ref_id} {ev.detail}"
    assert IMEI_1 not in stored and PHONE_SERIAL not in stored and "7518" not in stored
    assert session.scalar(select(func.count()).select_from(CertificateRequest)) == 0

    # another report that breaks a rule is another refusal
    assert _post(client, tech, wipe_report(validator.id, as_json=True, **NO_CHECK)).status_code == 422
    assert len(_events(session, "wipe_certificate_refused")) == 2


def test_refusals_and_certificates_make_the_wipe_refusal_rate_observable(client, session, team):
    tech, validator, _ = team
    assert credit.score_for(session, tech.org_id).factors["wipe_refusal_rate"]["value"] is None
    session.commit()
    intake(session, tech, imei=IMEI_1)
    intake(session, tech, imei=IMEI_2)
    no_tool, no_check = (wipe_report(validator.id, as_json=True, **o) for o in (NO_TOOL, NO_CHECK))
    for body in (no_tool, no_check, no_tool):  # the third is a retry of the first
        assert _post(client, tech, body).status_code == 422
    req = _post(client, tech, wipe_report(validator.id, as_json=True)).json
    assert client.post(f"{API}/requests/{req['id']}/approve", headers=validator.headers).status_code == 201
    # a correction the rules refuse is a refusal too (CERTIFICATE_FOR_OTHER_DEVICE)
    r = client.post(f"{API}/{req['certificate_id']}/corrections", headers=tech.headers,
                    json=wipe_report(validator.id, as_json=True, imeis=[IMEI_2], serial=None))
    assert r.status_code == 422

    kinds = sorted(e.kind for e in _events(session))
    assert kinds == ["wipe_certificate_ok"] + ["wipe_certificate_refused"] * 3
    row = credit.score_for(session, tech.org_id)
    # 3 refused of 4 reports, over the 20-trade minimum denominator (services/credit/features.py)
    assert row.factors["wipe_refusal_rate"]["value"] == 3 / 20
    session.commit()
    # the organisation's staff see the factor and the records as theirs
    me = client.get("/api/v1/credit/me", headers=tech.headers).json
    assert me["subject_id"] == str(tech.org_id)
    assert me["factors"]["wipe_refusal_rate"]["value"] == 3 / 20
    records = client.get("/api/v1/credit/me/records", headers=tech.headers).json["items"]
    assert sorted((r["kind"], r["negative"]) for r in records) == [
        ("wipe_certificate_ok", False)] + [("wipe_certificate_refused", True)] * 3


def test_who_is_not_the_subject_and_what_is_no_refusal(client, session, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    # not refusals by the rules: an unknown validator, a device that already has a certificate
    r = _post(client, tech, wipe_report(uuid.uuid4(), as_json=True))
    assert r.status_code == 422 and r.json["code"] != "certificate_refused"
    req = _post(client, tech, wipe_report(validator.id, as_json=True)).json
    client.post(f"{API}/requests/{req['id']}/approve", headers=validator.headers)
    assert _post(client, tech, wipe_report(validator.id, as_json=True)).status_code == 409
    assert [(e.kind, e.subject_id) for e in _events(session)] == [("wipe_certificate_ok", tech.org_id)]

    # an operator wiping for the platform has no credit score: nothing is recorded
    op_tech, op_validator = make_user(session, Role.OPERATOR), make_user(session, Role.OPERATOR)
    intake(session, op_tech, imei=IMEI_2)
    report = dict(as_json=True, imeis=[IMEI_2], serial=None)
    assert _post(client, op_tech, wipe_report(op_validator.id, **report, **NO_TOOL)).status_code == 422
    req = _post(client, op_tech, wipe_report(op_validator.id, **report)).json
    assert client.post(f"{API}/requests/{req['id']}/approve",
                       headers=op_validator.headers).status_code == 201
    assert len(_events(session)) == 1
