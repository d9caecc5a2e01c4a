"""Disputes with evidence (PostgreSQL): both sides put statements and EXIF-free photos before the
operator within a window, the seller answers once (accept a refund, offer part, or contest), the
buyer can take an offer, a third user sees nothing, every step is audited and feeds credit."""
from __future__ import annotations

import io
import pytest
from PIL import Image
from sqlalchemy import select

from services.audit import AuditEntry
from services.credit.events import CreditEvent
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish


@pytest.fixture
def disputed(client, session, buyer, seller, operator):
    listing = publish(session, seller, operator, fridge_payload(price_fen=200000))
    oid = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers).json["id"]
    assert client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers).status_code == 200
    r = client.post(f"/api/v1/orders/{oid}/disputes", json={"reason": "not_as_described", "description": "门封条破损"},
                    headers=buyer.headers)
    assert r.status_code == 201, r.json
    return r.json


def _jpeg_with_gps() -> bytes:
    img, buf = Image.new("RGB", (32, 24), "blue"), io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 31.0, 0.0)}
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_both_sides_give_evidence_the_operator_decides_with_it(client, session, buyer, seller, stranger, operator,
                                                               disputed):
    did = disputed["id"]
    assert disputed["evidence_due_at"] > disputed["created_at"] and disputed["seller_response"] is None
    r = client.post(f"/api/v1/disputes/{did}/evidence", json={"text": "收到时门封条已经破了"}, headers=buyer.headers)
    assert r.status_code == 201 and r.json["side"] == "buyer"
    r = client.post(f"/api/v1/disputes/{did}/evidence/photos", headers=buyer.headers,
                    data={"file": (io.BytesIO(_jpeg_with_gps()), "seal.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 201 and r.json["kind"] == "photo", r.json
    photo_url = r.json["photo_url"]
    r = client.post(f"/api/v1/disputes/{did}/response",
                    json={"action": "contest", "statement": "发货前拍过照，封条完好"}, headers=seller.headers)
    assert r.status_code == 200 and r.json["seller_response"] == "contest" and r.json["status"] == "open"
    again = client.post(f"/api/v1/disputes/{did}/response", json={"action": "accept_refund"}, headers=seller.headers)
    assert again.status_code == 409 and again.json["code"] == "dispute_answered"

    seen = client.get(f"/api/v1/disputes/{did}/evidence", headers=operator.headers).json
    assert [(e["side"], e["kind"]) for e in seen] == [("buyer", "statement"), ("buyer", "photo"), ("seller", "statement")]
    got = client.get(photo_url, headers=operator.headers)
    assert got.status_code == 200 and not Image.open(io.BytesIO(got.data)).getexif()
    for path in (f"/api/v1/disputes/{did}/evidence", photo_url):
        assert client.get(path, headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/disputes/{did}/evidence", json={"text": "me too"},
                       headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/disputes/{did}/evidence", json={"text": "x"},
                       headers=operator.headers).status_code == 403

    r = client.post(f"/api/v1/disputes/{did}/resolve", json={"outcome": "release", "note": "照片显示发货前完好"},
                    headers=operator.headers)
    assert r.status_code == 200 and r.json["outcome"] == "release"
    late = client.post(f"/api/v1/disputes/{did}/evidence", json={"text": "还有"}, headers=buyer.headers)
    assert late.status_code == 409 and late.json["code"] == "dispute_not_open"
    actions = [a for a in session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == did)
                                          .order_by(AuditEntry.at))]
    assert actions == ["dispute.open", "dispute.evidence", "dispute.evidence", "dispute.respond_contest",
                       "dispute.resolve"]


def test_seller_accepts_a_refund_and_it_settles_at_once(client, session, buyer, seller, disputed):
    r = client.post(f"/api/v1/disputes/{disputed['id']}/response", json={"action": "accept_refund"},
                    headers=seller.headers)
    assert r.status_code == 200 and (r.json["status"], r.json["outcome"]) == ("resolved", "refund")
    kinds = {(e.kind, e.subject_id) for e in session.scalars(select(CreditEvent).where(CreditEvent.ref_type == "dispute"))}
    assert ("dispute_lost", seller.id) in kinds and ("dispute_won", buyer.id) in kinds


def test_buyer_takes_the_sellers_partial_offer(client, buyer, seller, disputed):
    did = disputed["id"]
    assert client.post(f"/api/v1/disputes/{did}/offer/accept", headers=buyer.headers).json["code"] == "no_offer"
    r = client.post(f"/api/v1/disputes/{did}/response", json={"action": "offer_partial_refund"}, headers=seller.headers)
    assert r.status_code == 422 and "amount_fen" in r.json["errors"]
    r = client.post(f"/api/v1/disputes/{did}/response", json={"action": "offer_partial_refund", "amount_fen": 999999},
                    headers=seller.headers)
    assert r.status_code == 422 and "amount_fen" in r.json["errors"]
    r = client.post(f"/api/v1/disputes/{did}/response", json={"action": "offer_partial_refund", "amount_fen": 30000},
                    headers=seller.headers)
    assert r.status_code == 200 and r.json["seller_offer_fen"] == 30000
    assert client.post(f"/api/v1/disputes/{did}/offer/accept", headers=seller.headers).status_code == 403
    r = client.post(f"/api/v1/disputes/{did}/offer/accept", headers=buyer.headers)
    assert r.status_code == 200 and (r.json["outcome"], r.json["refund_fen"]) == ("partial_refund", 30000)


def test_windows_close(app_with, buyer, seller, disputed):
    # windows of zero days: both closed the moment the dispute opened
    client = app_with(DISPUTE_EVIDENCE_DAYS=0, DISPUTE_RESPONSE_DAYS=0).test_client()
    r = client.post(f"/api/v1/disputes/{disputed['id']}/evidence", json={"text": "补充"}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "evidence_window_closed"
    r = client.post(f"/api/v1/disputes/{disputed['id']}/response", json={"action": "contest"}, headers=seller.headers)
    assert r.status_code == 409 and r.json["code"] == "response_window_closed"
    r = client.post(f"/api/v1/disputes/{disputed['id']}/response", json={"action": "shrug"}, headers=seller.headers)
    assert r.status_code == 422 and "action" in r.json["errors"]
