"""Reimbursement claims: evidence export (CSV, JSON) with masked identifiers, the state
machine with its audit trail, and who may move it."""
from __future__ import annotations

import pytest

import csv
import io
import zipfile

from tests.factories.accounts import make_user
from tests.factories.listings import imei
from tests.factories.subsidies import phone_quote, reserve_sale, resident_id, sale_payload

PERIOD = {"programme": "CN-2025-digital", "period_start": "2025-06-01", "period_end": "2025-06-30"}


def redeemed_sale(client, retailer, date="2025-06-10", **kw):
    r = client.post("/api/v1/subsidies/sales", json=sale_payload(quote=phone_quote(date=date), **kw),
                    headers=retailer.headers)
    assert r.status_code == 201, r.json
    rid = reserve_sale(client, retailer, r.json["id"]).json["id"]
    assert client.post(f"/api/v1/subsidies/reservations/{rid}/redeem", headers=retailer.headers).status_code == 200
    return rid


def move(client, actor, claim_id, action, reason=None):
    return client.post(f"/api/v1/claims/{claim_id}/transitions", json={"action": action, "reason": reason},
                       headers=actor.headers)


@pytest.mark.smoke
def test_claim_lifecycle_export_and_audit(client, retailer, operator, phone_pool):
    buyer, old_imei = resident_id(), imei()
    redeemed_sale(client, retailer, buyer=buyer, invoice="FP-0001",
                  trade_in={"kind": "mobile_phone", "handed_in": True},
                  old_item={"recycler_name": "吕梁再生资源", "recycling_voucher_no": "RV-88", "device_id": old_imei})
    redeemed_sale(client, retailer)
    reserve_sale(client, retailer, client.post("/api/v1/subsidies/sales", json=sale_payload(
        quote=phone_quote(date="2025-06-20")), headers=retailer.headers).json["id"])   # reserved only
    redeemed_sale(client, retailer, date="2025-07-02")                              # outside the period

    r = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers)
    assert r.status_code == 201, r.json
    claim = r.json
    assert (claim["status"], claim["items_count"], claim["total_fen"]) == ("draft", 2, 90000)

    r = client.get(f"/api/v1/claims/{claim['id']}/export", headers=retailer.headers)
    assert r.status_code == 200
    rows = r.json["items"]
    first = next(x for x in rows if x["invoice_no"] == "FP-0001")
    assert first["buyer"] == "****" + buyer[-4:] and first["device"].startswith("****")
    assert (first["recycler"], first["recycling_voucher_no"], first["old_item_kind"]) == ("吕梁再生资源", "RV-88", "mobile_phone")
    assert first["subsidy_fen"] == 45000 and first["price_fen"] == 300000 and first["brand"] == "Huawei"
    assert first["wipe_certificate_id"] is None          # no certificate registered for the old phone
    text = r.get_data(as_text=True)
    assert buyer not in text and old_imei not in text

    r = client.get(f"/api/v1/claims/{claim['id']}/export?format=csv", headers=retailer.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(table) == 2 and {"invoice_no", "device", "buyer", "subsidy_fen"} <= set(table[0])
    assert buyer not in r.get_data(as_text=True)

    r = move(client, operator, claim["id"], "approve")
    assert r.status_code == 409 and r.json["allowed"] == ["submit"]
    assert move(client, retailer, claim["id"], "submit").json["status"] == "submitted"
    assert move(client, retailer, claim["id"], "approve").status_code == 403
    assert move(client, operator, claim["id"], "approve").json["status"] == "approved"
    r = move(client, operator, claim["id"], "pay")
    assert r.status_code == 200 and r.json["status"] == "paid" and r.json["paid_at"]
    trail = client.get(f"/api/v1/claims/{claim['id']}/audit", headers=retailer.headers).json
    assert [e["action"] for e in trail] == ["claim.create", "claim.submit", "claim.approve", "claim.pay"]

    r = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers)   # everything is claimed
    assert r.status_code == 409 and r.json["code"] == "nothing_to_claim"


def test_rejection_needs_a_reason_and_frees_the_subsidies(client, retailer, operator, phone_pool):
    redeemed_sale(client, retailer)
    claim = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers).json
    move(client, retailer, claim["id"], "submit")
    r = move(client, operator, claim["id"], "reject")
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = move(client, operator, claim["id"], "reject", "invoice total does not match")
    assert r.status_code == 200 and r.json["decision_reason"] == "invoice total does not match"
    again = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers)
    assert again.status_code == 201 and again.json["items_count"] == 1


def test_clawback_leaves_a_draft_claim(client, retailer, phone_pool):
    rid = redeemed_sale(client, retailer)
    redeemed_sale(client, retailer)
    claim = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers).json
    client.post(f"/api/v1/subsidies/reservations/{rid}/clawback", json={"reason": "returned"}, headers=retailer.headers)
    got = client.get(f"/api/v1/claims/{claim['id']}", headers=retailer.headers).json
    assert (got["items_count"], got["total_fen"]) == (1, 45000)


def test_claims_are_private_to_the_retailer(client, session, retailer, consumer, phone_pool):
    redeemed_sale(client, retailer)
    claim = client.post("/api/v1/claims", json=PERIOD, headers=retailer.headers).json
    other = make_user(session, "retailer")
    for actor in (other, consumer):
        assert client.get(f"/api/v1/claims/{claim['id']}", headers=actor.headers).status_code == 404
        assert client.get(f"/api/v1/claims/{claim['id']}/export", headers=actor.headers).status_code == 404
        assert move(client, actor, claim["id"], "submit").status_code == 404
    assert client.get("/api/v1/claims", headers=other.headers).json["items"] == []
    assert client.post("/api/v1/claims", json=PERIOD, headers=consumer.headers).status_code == 403
    assert client.get(f"/api/v1/claims/{claim['id']}").status_code == 401


def test_evidence_export_by_programme_and_period(client, retailer, phone_pool):
    redeemed_sale(client, retailer, invoice="FP-0100")
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "format": "csv"}, headers=retailer.headers)
    assert r.status_code == 200 and "FP-0100" in r.get_data(as_text=True)
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "programme": "CN-1999-x"}, headers=retailer.headers)
    assert r.status_code == 422 and "programme" in r.json["errors"]
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "period_end": "2025-05-01"}, headers=retailer.headers)
    assert r.status_code == 422


def test_evidence_files_open_in_a_spreadsheet(client, retailer, phone_pool):
    """Excel reads the CSV as UTF-8 (byte-order mark), headers come in Chinese or English on
    request, .xlsx is offered, and text that looks like a formula stays text."""
    redeemed_sale(client, retailer, invoice="=HYPERLINK(1)",
                  old_item={"recycler_name": "吕梁再生资源", "recycling_voucher_no": "RV-9", "device_id": imei()})
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "format": "csv", "header": "zh"},
                   headers=retailer.headers)
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf") and r.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert table[0]["发票号码"] == "'=HYPERLINK(1)" and table[0]["回收企业"] == "吕梁再生资源"
    assert table[0]["补贴金额(分)"] == "45000"
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "format": "csv", "header": "en"},
                   headers=retailer.headers)
    assert next(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))[:2] == ["Reservation ID", "Source"]
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "format": "xlsx", "header": "zh"},
                   headers=retailer.headers)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(r.data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "发票号码" in strings and "吕梁再生资源" in strings and "'=HYPERLINK(1)" in strings
    r = client.get("/api/v1/claims/evidence", query_string={**PERIOD, "format": "csv", "header": "fr"},
                   headers=retailer.headers)
    assert r.status_code == 422 and "header" in r.json["errors"]


def test_claim_bad_input(client, retailer):
    for body, field in [({**PERIOD, "programme": "nope"}, "programme"),
                        ({**PERIOD, "period_start": "2025-13-01"}, "period_start"),
                        ({"programme": "CN-2025-digital"}, "period_start")]:
        r = client.post("/api/v1/claims", json=body, headers=retailer.headers)
        assert r.status_code == 422 and field in r.json["errors"], r.json
