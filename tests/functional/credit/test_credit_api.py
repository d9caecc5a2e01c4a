"""Credit over HTTP: own score, operator access, privileges, records, overrides, training, promotion."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services import clock
from services.accounts.models import Role
from services.credit import registry
from services.credit.events import record_event
from services.credit.synthetic import PARTICIPANT_CONFIG, dataset
from services.credit.training import fit_scorecard
from tests.factories.accounts import make_user

API = "/api/v1/credit"


@pytest.mark.smoke
def test_a_participant_sees_their_score_band_and_reasons(client, consumer):
    r = client.get(f"{API}/me", headers=consumer.headers)
    assert r.status_code == 200, r.json
    body = r.json
    assert 350 <= body["score"] <= 950
    assert body["band"] in ("poor", "fair")
    assert body["thin_file"] is True
    assert body["subject_id"] == str(consumer.id)
    assert body["scorecard_version"] == registry.DEFAULT_VERSION
    assert len(body["reasons"]) <= 4
    for reason in body["reasons"]:
        assert reason["code"] and reason["en"] and reason["zh"]


def test_own_score_by_id_and_operator_sees_anyone(client, consumer, other_consumer, operator):
    url = f"{API}/subjects/{consumer.id}"
    assert client.get(url, headers=consumer.headers).status_code == 200
    r = client.get(url, headers=other_consumer.headers)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert client.get(url, headers=operator.headers).status_code == 200
    assert client.get(url).status_code == 401


def test_unknown_participant_is_404(client, operator):
    r = client.get(f"{API}/subjects/{uuid.uuid4()}", headers=operator.headers)
    assert r.status_code == 404 and r.json["code"] == "credit_unknown_participant"
    r = client.get(f"{API}/me", headers=operator.headers)
    assert r.status_code == 404 and r.json["code"] == "credit_no_subject"


def test_retailer_sees_the_organisation_score(client, retailer):
    r = client.get(f"{API}/me", headers=retailer.headers)
    assert r.status_code == 200 and r.json["subject_id"] == str(retailer.org_id)


@pytest.mark.smoke
def test_privileges_and_what_would_raise_the_band(client, session, consumer):
    consumer.user.created_at = clock.now(session) - timedelta(days=400)
    session.commit()
    for i in range(5):
        record_event(session, consumer.id, "order_completed_buyer", ref_id=f"o{i}")
        record_event(session, consumer.id, "payment_failed", ref_id=f"p{i}")
    session.commit()
    r = client.get(f"{API}/me/privileges", headers=consumer.headers)
    assert r.status_code == 200, r.json
    body = r.json
    assert set(body["privileges"]) == {"band", "tradein_prepayment", "tradein_prepayment_limit_fen",
                                       "listing_limit", "manual_review_new_listings"}
    assert body["next_band"] and body["points_to_next_band"] > 0
    assert body["next_band_privileges"]["band"] == body["next_band"]
    codes = [s["code"] for s in body["steps"]]
    assert "PAYMENT_FAILURES" in codes
    step = body["steps"][codes.index("PAYMENT_FAILURES")]
    assert step["hint_en"] and step["hint_zh"] and step["points_to_best_bin"] > 0


def test_records_explanations_and_history(client, session, consumer, other_consumer):
    ev = record_event(session, consumer.id, "pickup_no_show", ref_type="pickup", ref_id="p1")
    session.commit()
    r = client.get(f"{API}/me/records", headers=consumer.headers)
    assert r.status_code == 200
    assert [x["id"] for x in r.json["items"]] == [str(ev.id)]
    assert r.json["items"][0]["negative"] is True and r.json["items"][0]["status"] == "counts"
    url = f"{API}/records/{ev.id}/explanation"
    r = client.put(url, json={"text": "The courier came two hours late."}, headers=consumer.headers)
    assert r.status_code == 200 and r.json["explanation"] == "The courier came two hours late."
    assert client.put(url, json={"text": "not mine"}, headers=other_consumer.headers).status_code == 403
    assert client.put(url, json={}, headers=consumer.headers).status_code == 422
    assert client.put(f"{API}/records/{uuid.uuid4()}/explanation", json={"text": "x"},
                      headers=consumer.headers).status_code == 404
    client.get(f"{API}/me", headers=consumer.headers)
    assert client.post(f"{API}/subjects/{consumer.id}/recompute", headers=consumer.headers).status_code == 200
    r = client.get(f"{API}/subjects/{consumer.id}/history?limit=1", headers=consumer.headers)
    assert r.status_code == 200 and len(r.json["items"]) == 1 and r.json["next_cursor"]
    assert r.json["items"][0]["trigger"] == "on_demand"
    r2 = client.get(f"{API}/subjects/{consumer.id}/history?cursor={r.json['next_cursor']}", headers=consumer.headers)
    assert len(r2.json["items"]) == 1
    assert client.get(f"{API}/subjects/{consumer.id}/history", headers=other_consumer.headers).status_code == 403


@pytest.mark.smoke
def test_override_without_reason_is_422_and_with_one_is_audited(client, consumer, operator):
    url = f"{API}/subjects/{consumer.id}/overrides"
    r = client.post(url, json={"kind": "score", "score": 720}, headers=operator.headers)
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = client.post(url, json={"kind": "score", "score": 720, "reason": "   "}, headers=operator.headers)
    assert r.status_code == 422
    assert client.post(url, json={"kind": "score", "score": 720, "reason": "verified offline"},
                       headers=consumer.headers).status_code == 403
    r = client.post(url, json={"kind": "score", "score": 720, "reason": "verified offline"}, headers=operator.headers)
    assert r.status_code == 201, r.json
    assert r.json["score"]["score"] == 720 and r.json["score"]["band"] == "excellent"
    oid = r.json["override"]["id"]
    audit = client.get(f"/api/v1/audit-log?target_id={consumer.id}", headers=operator.headers).json["items"]
    assert any(a["action"] == "credit.override.score" and a["reason"] == "verified offline" for a in audit)
    assert client.get(f"{API}/me", headers=consumer.headers).json["score"] == 720
    listed = client.get(url, headers=operator.headers).json["items"]
    assert [o["id"] for o in listed] == [oid]
    assert client.post(f"{API}/overrides/{oid}/revoke", json={}, headers=operator.headers).status_code == 422
    r = client.post(f"{API}/overrides/{oid}/revoke", json={"reason": "case closed"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["override"]["revoked_at"]
    assert client.post(f"{API}/subjects/{uuid.uuid4()}/overrides", json={"kind": "score", "score": 700, "reason": "whatever"},
                       headers=operator.headers).status_code == 404


def test_training_on_single_class_outcomes_is_a_clear_error(client, session, operator):
    for _ in range(25):
        a = make_user(session, Role.CONSUMER)
        a.user.created_at = clock.now(session) - timedelta(days=200)
        record_event(session, a.id, "order_completed_buyer", occurred_at=clock.now(session) - timedelta(days=150))
    session.commit()
    r = client.post(f"{API}/scorecards", json={"version": "v-try"}, headers=operator.headers)
    assert r.status_code == 422, r.json
    assert r.json["code"] == "credit_single_class"
    assert "single outcome class" in r.json["detail"]
    assert client.get(f"{API}/scorecards/v-try", headers=operator.headers).status_code == 404


def test_scorecard_versions_and_promotion_by_an_operator_only(client, session, consumer, operator):
    r = client.get(f"{API}/scorecards", headers=operator.headers)
    assert r.status_code == 200 and [c["status"] for c in r.json] == ["active"]
    assert client.get(f"{API}/scorecards", headers=consumer.headers).status_code == 403
    card = fit_scorecard(dataset(3000, seed=9), "cand-v3", PARTICIPANT_CONFIG)
    registry.register_candidate(session, card)
    session.commit()
    doc = client.get(f"{API}/scorecards/cand-v3", headers=operator.headers).json
    assert doc["status"] == "candidate" and doc["document"]["version"] == "cand-v3"
    url = f"{API}/scorecards/cand-v3/promote"
    assert client.post(url, json={"reason": "better AUC"}, headers=consumer.headers).status_code == 403
    assert client.post(url, json={}, headers=operator.headers).status_code == 422
    r = client.post(url, json={"reason": "better held-out AUC"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "active"
    assert client.get(f"{API}/me", headers=consumer.headers).json["scorecard_version"] == "cand-v3"
    assert client.post(f"{API}/scorecards/nope/promote", json={"reason": "xxxxxx"},
                       headers=operator.headers).status_code == 404
