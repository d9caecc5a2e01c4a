"""Issue 13 (Trust chain), "Done when": every promise holds where one domain hands over to another.

One journey, driven through the HTTP API on PostgreSQL with stripe-mock, split by role so a
reviewer reads who does what:

- operator: vets the recycler's and the retailer's credit codes, allows the wipe tool, opens the
  subsidy budget pool;
- consumer (seller): trades a phone in for platform store credit, collected at the door;
- recycler: collects it (pickup), takes it into custody, wipes it, a colleague validates the
  report and the certificate is signed; lists it for resale, certificate shown and searchable;
- consumer (buyer): pays for that phone with platform store credit plus card, and buys a new
  grade-1 fridge from the retailer with a subsidy whose quote said budget was available;
- and every ledger balance, pool figure and credit score moves as it should.

The refusals of the issue are then tried in the same setting: an unverified recycler, a forced
membership, an edited published listing, a data-bearing device without identifier or certificate.
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from services import clock
from services.accounts.models import Role
from services.credit.events import CreditEvent
from services.ledger.models import JournalEntry
from services.payments.models import Payment, SellerAccount
from tests.factories.accounts import make_user, uscc
from tests.factories.certificates import TOOL, wipe_report
from tests.factories.listings import fridge_payload, phone_payload
from tests.factories.orders import event, intent_obj, post_event
from tests.factories.pickups import XIAODIAN, XIAODIAN_AT, collector, facility, next_slot, put_offer
from tests.factories.subsidies import resident_id
from tests.factories.tradeins import IPHONE_BASE, inspect, phone_answers, phone_quote, png, seed_table
from tests.fixtures.clock import TEST_CLOCK

API = "/api/v1"
RESALE_PRICE = 200000          # the certified iPhone, resold at ¥2,000
CREDIT_SPENT = 33200           # the issue's ¥332 of platform credit, with the rest by card
FRIDGE_PRICE = 300000          # a grade-1 fridge at ¥3,000 ...
FRIDGE_SUBSIDY = 60000         # ... earns 20 % under the national 2025 appliance programme
SUBSIDY_DATE = "2025-06-01"
PLATFORM_FEE_BPS = 500         # the default platform fee


def ok(r, status=200):
    assert r.status_code == status, (r.status_code, r.json)
    return r.json


# ---- the cast ------------------------------------------------------------------------------------

@dataclass
class Cast:
    operator: object
    recycler: object           # owner of the recycling organisation, technician
    validator: object          # the recycler's colleague who validates wipe reports
    retailer: object
    seller: object             # the consumer who trades the phone in
    buyer: object              # the consumer who buys it (resident ID verified: subsidies)
    pool: dict | None = None


def vet(client, operator, owner, *, recycling_reg_no=None):
    """The owner files the organisation's credit code; the operator approves it (audited)."""
    body = {"uscc": uscc(int(uuid.uuid4().int % 10**9))}
    if recycling_reg_no:
        body["recycling_reg_no"] = recycling_reg_no
    got = ok(client.post(f"{API}/organizations/{owner.org_id}/verification", json=body, headers=owner.headers))
    assert got["verification_status"] == "pending"
    got = ok(client.post(f"{API}/organizations/{owner.org_id}/verification-review", json={"decision": "verified"},
                         headers=operator.headers))
    assert got["verification_status"] == "verified"


def invite_and_accept(client, owner, member):
    inv = ok(client.post(f"{API}/organizations/{owner.org_id}/invitations", json={"email": member.user.email},
                         headers=owner.headers), 201)
    assert ok(client.post(f"{API}/organizations/invitations/{inv['id']}/accept",
                          headers=member.headers))["status"] == "accepted"


def payout_account(session, org_id=None, user_id=None):
    """A Stripe Connect account, onboarded (Connect onboarding is not under test)."""
    session.add(SellerAccount(owner_org_id=org_id, owner_user_id=user_id,
                              stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
                              charges_enabled=True, payouts_enabled=True, details_submitted=True,
                              synced_event_at=0))
    session.commit()


def operator_sets_the_stage(client, session, cast: Cast) -> None:
    """Operator: vets the recycler and the retailer, allows the wipe tool, opens a budget pool."""
    op = cast.operator
    vet(client, op, cast.recycler, recycling_reg_no="晋回收备-0042")
    vet(client, op, cast.retailer)
    trail = ok(client.get(f"{API}/audit-log", query_string={"target_type": "organization",
                                                            "target_id": str(cast.recycler.org_id)},
                          headers=op.headers))["items"]
    assert ("organization.verified", str(op.id)) in [(e["action"], e["actor_id"]) for e in trail]
    ok(client.post(f"{API}/certificates/tools", json={"name": TOOL.name, "version": TOOL.version,
                                                        "assurance": "ADISA product assurance"},
                   headers=op.headers), 201)
    cast.pool = ok(client.post(f"{API}/subsidies/pools", json={"programme": "CN-2025-appliance",
                                                                "region": "140000", "budget_fen": 1_000_000},
                               headers=op.headers), 201)
    seed_table(session)        # the platform's trade-in price table (an operator's price entries)
    from services.subsidies import pools
    pools.invalidate_cache(session)   # quotes read pools through a short snapshot; tables were truncated


@pytest.fixture
def cast(session, stripe_client):
    recycler = make_user(session, Role.RECYCLER, verified_org=False)
    validator = make_user(session, Role.RECYCLER)
    retailer = make_user(session, Role.RETAILER, verified_org=False)
    c = Cast(operator=make_user(session, Role.OPERATOR), recycler=recycler, validator=validator,
             retailer=retailer, seller=make_user(session, Role.CONSUMER),
             buyer=make_user(session, Role.CONSUMER, verified_id=resident_id()))
    invite_and_accept(stripe_client, recycler, validator)
    operator_sets_the_stage(stripe_client, session, c)
    return c


def credit(client, actor) -> dict:
    return ok(client.get(f"{API}/credit/me", headers=actor.headers))


BANDS = ["very_poor", "poor", "fair", "good", "excellent"]


def not_lower(after: dict, before: dict) -> bool:
    return after["score"] >= before["score"] and BANDS.index(after["band"]) >= BANDS.index(before["band"])


def store_credit(client, actor) -> dict:
    return {a["org_id"] or "platform": a["balance_fen"]
            for a in ok(client.get(f"{API}/store-credit/accounts", headers=actor.headers))}


def pool_figures(client, operator, pool_id) -> tuple[int, int, int]:
    [p] = [p for p in ok(client.get(f"{API}/subsidies/pools", headers=operator.headers)) if p["id"] == pool_id]
    return p["reserved_fen"], p["redeemed_fen"], p["remaining_fen"]


# ---- each role's part ----------------------------------------------------------------------------

def consumer_trades_in_a_phone(client, cast: Cast) -> tuple[dict, str]:
    """Consumer (seller): a platform quote for a flawless iPhone, collected at the door, paid in
    platform store credit."""
    body = phone_quote()
    t = ok(client.post(f"{API}/tradeins", json=body, headers=cast.seller.headers), 201)
    pickup = {"method": "pickup", "region_code": XIAODIAN, "address": "小店区 长治路 1 号",
              "lat": XIAODIAN_AT[0], "lon": XIAODIAN_AT[1], "starts_at": next_slot().isoformat()}
    t = ok(client.post(f"{API}/tradeins/{t['id']}/accept", headers=cast.seller.headers,
                       json={"handover": pickup, "payout": {"method": "store_credit"}}))
    assert t["handover_method"] == "pickup" and t["handler_org_id"] == str(cast.recycler.org_id)
    return t, body["imei"]


def recycler_collects_and_inspects(client, cast: Cast, t: dict, imei: str, facility_id: str) -> dict:
    """Recycler: the collector takes the phone at the door; the depot receives and inspects it;
    as declared, so the consumer is paid at once."""
    rec = cast.recycler
    pid = t["handover"]["booking_id"]
    ok(client.post(f"{API}/pickups/{pid}/assign", json={}, headers=rec.headers))
    for step in ("en_route", "arrived"):
        ok(client.post(f"{API}/pickups/{pid}/transitions", json={"to": step}, headers=rec.headers))
    items = ok(client.get(f"{API}/pickups/{pid}", headers=rec.headers))["items"]
    ok(client.post(f"{API}/pickups/{pid}/collect", headers=rec.headers, json={
        "facility_id": facility_id, "items": [{"item_id": i["id"], "weight_g": 180} for i in items]}), 201)
    assert ok(client.get(f"{API}/tradeins/{t['id']}", headers=cast.seller.headers))["status"] == "in_transit"
    ok(client.post(f"{API}/tradeins/{t['id']}/receive", headers=rec.headers))
    ok(client.post(f"{API}/tradeins/{t['id']}/photos", headers=rec.headers,
                   data={"file": (io.BytesIO(png()), "front.png")}, content_type="multipart/form-data"), 201)
    done = ok(inspect(client, rec, t, phone_answers(), imei=imei))
    assert done["status"] == "paid" and done["paid_fen"] == IPHONE_BASE
    return done


def recycler_wipes_and_certifies(client, cast: Cast, t: dict, imei: str, serial: str) -> dict:
    """Recycler: custody intake, the technician's wipe report, the colleague's validation."""
    rec, val = cast.recycler, cast.validator
    url = f"{API}/tradeins/{t['id']}/resale-certificate"
    r = client.get(url, headers=rec.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"   # not wiped yet
    cert = certify_by_api(client, rec, val, imei, serial)
    assert ok(client.get(url, headers=rec.headers))["certificate_id"] == cert["id"]
    return cert


def certify_by_api(client, rec, val, imei: str, serial: str) -> dict:
    """Custody intake, the technician's wipe report, the colleague's validation: a signed certificate."""
    now = TEST_CLOCK.now()
    ok(client.post(f"{API}/certificates/custody-events", headers=rec.headers, json={
        "kind": "intake", "at": (now - timedelta(hours=2)).isoformat(), "imei": imei,
        "note": "以旧换新 上门回收"}), 201)
    report = wipe_report(val.id, imeis=[imei], serial=serial, as_json=True, wiped_at=now - timedelta(hours=1))
    req = ok(client.post(f"{API}/certificates/requests", json=report, headers=rec.headers), 201)
    assert req["status"] == "pending"
    cert = ok(client.post(f"{API}/certificates/requests/{req['id']}/approve", headers=val.headers), 201)
    assert cert["status"] == "valid"
    return cert


def recycler_lists_for_resale(client, cast: Cast, imei: str, serial: str) -> dict:
    """Recycler: the certified phone goes on sale under its organisation, after review."""
    payload = phone_payload(price_fen=RESALE_PRICE, org_id=str(cast.recycler.org_id), title="苹果 iPhone 13 已检测 已清除数据")
    payload["attributes"].update(imei=imei, serial_number=serial)
    listing = ok(client.post(f"{API}/listings", json=payload, headers=cast.recycler.headers), 201)
    assert listing["org_id"] == str(cast.recycler.org_id)
    got = ok(client.post(f"{API}/listings/{listing['id']}/transitions", json={"action": "submit"},
                         headers=cast.recycler.headers))
    if got["status"] != "published":       # a new organisation's listing waits for an operator
        got = ok(client.post(f"{API}/listings/{listing['id']}/transitions", json={"action": "approve"},
                             headers=cast.operator.headers))
    assert got["status"] == "published"
    return got


def authorise_by_card(client, session, order_id):
    """stripe-mock holds the card payment; Stripe tells us so by webhook."""
    pay = session.scalar(select(Payment).where(Payment.order_id == uuid.UUID(order_id)))
    assert pay.provider == "stripe" and pay.intent_id
    ok(post_event(client, event("payment_intent.amount_capturable_updated",
                                intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture"))))


def hand_over_and_accept(client, seller, buyer, order_id) -> dict:
    ok(client.post(f"{API}/orders/{order_id}/handover", headers=seller.headers))
    done = ok(client.post(f"{API}/orders/{order_id}/accept", headers=buyer.headers))
    assert done["status"] == "completed"
    return done


# ---- the journey ---------------------------------------------------------------------------------

def test_a_traded_in_phone_is_certified_resold_for_credit_and_card_and_a_subsidised_fridge_is_bought(
        stripe_client, session, cast):
    client = stripe_client
    seller_credit_before, buyer_credit_before = credit(client, cast.seller), credit(client, cast.buyer)

    # Recycler: a verified recycler offers doorstep pickups in Taiyuan, with a depot and a collector.
    put_offer(client, cast.recycler)
    depot = facility(client, cast.recycler)
    collector(client, cast.recycler)

    # Consumer (seller) trades the phone in; the recycler collects, inspects and pays.
    t, imei = consumer_trades_in_a_phone(client, cast)
    recycler_collects_and_inspects(client, cast, t, imei, depot["id"])
    assert store_credit(client, cast.seller) == {"platform": IPHONE_BASE}

    # Recycler wipes and certifies; the certificate is the device's, found by its owner-free look-up.
    serial = f"F2LXE2E{uuid.uuid4().hex[:5].upper()}"
    assert ok(client.get(f"{API}/tradeins/{t['id']}", headers=cast.seller.headers))["certificate"] is None
    cert = recycler_wipes_and_certifies(client, cast, t, imei, serial)
    # The consumer who handed the phone over is given the certificate: proof their data is gone.
    mine = ok(client.get(f"{API}/tradeins/{t['id']}", headers=cast.seller.headers))["certificate"]
    assert (mine["id"], mine["status"], mine["level"]) == (cert["id"], "valid", "purge")
    assert mine["verify_url"] == f"/verify/{cert['id']}"
    r = client.post(f"{API}/certificates/lookup", json={"imei": imei})   # anyone, no sign-in
    assert ok(r)["found"] and r.json["certificate"]["id"] == cert["id"]
    assert r.json["certificate"]["status"] == "valid" and imei not in r.get_data(as_text=True)

    # ... and lists it: the certificate is on the listing, in the index and in certified search.
    listing = recycler_lists_for_resale(client, cast, imei, serial)
    shown = listing["certificate"]
    assert (shown["id"], shown["status"], shown["level"]) == (cert["id"], "valid", "purge")
    assert shown["verify_url"] == f"/verify/{cert['id']}" and shown["organisation"]
    assert shown == r.json["certificate"]          # the look-up shows what the listing shows
    assert ok(client.get(shown["verify_url"].replace("/verify/", f"{API}/certificates/") + "/verify"))["valid"]
    hits = ok(client.get(f"{API}/search", query_string={"certified": "true"}))["items"]
    assert [(h["id"], h["certificate"]["id"]) for h in hits] == [(listing["id"], cert["id"])]

    # Consumer (buyer): first their own platform credit, earned by a drop-off trade-in at the recycler.
    body = phone_quote()
    bt = ok(client.post(f"{API}/tradeins", json=body, headers=cast.buyer.headers), 201)
    ok(client.post(f"{API}/tradeins/{bt['id']}/accept", headers=cast.buyer.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(cast.recycler.org_id)},
        "payout": {"method": "store_credit"}}))
    ok(client.post(f"{API}/tradeins/{bt['id']}/receive", headers=cast.recycler.headers))
    ok(client.post(f"{API}/tradeins/{bt['id']}/photos", headers=cast.recycler.headers,
                   data={"file": (io.BytesIO(png()), "f.png")}, content_type="multipart/form-data"), 201)
    assert ok(inspect(client, cast.recycler, bt, phone_answers(), imei=body["imei"]))["status"] == "paid"
    assert store_credit(client, cast.buyer) == {"platform": IPHONE_BASE}

    # ... buys the certified phone with ¥332 of platform credit and the rest by card.
    payout_account(session, cast.recycler.org_id)
    o = ok(client.post(f"{API}/orders", json={"listing_id": listing["id"], "store_credit_fen": CREDIT_SPENT},
                       headers=cast.buyer.headers), 201)
    assert (o["store_credit_fen"], o["platform_credit_fen"], o["payable_fen"], o["payment_method"]) == (
        CREDIT_SPENT, CREDIT_SPENT, RESALE_PRICE - CREDIT_SPENT, "card")
    assert store_credit(client, cast.buyer) == {"platform": IPHONE_BASE - CREDIT_SPENT}
    assert ok(client.get(f"{API}/listings/{listing['id']}"))["status"] != "published"   # reserved for the buyer
    authorise_by_card(client, session, o["id"])
    done = hand_over_and_accept(client, cast.recycler, cast.buyer, o["id"])
    assert done["payment"]["captured_fen"] == RESALE_PRICE - CREDIT_SPENT
    # The recycler is paid the whole price less the fee: the platform pays the credit part.
    [p] = ok(client.get(f"{API}/payments/payouts", headers=cast.recycler.headers))["items"]
    fee = RESALE_PRICE * PLATFORM_FEE_BPS // 10000
    assert (p["gross_fen"], p["fee_fen"], p["net_fen"]) == (RESALE_PRICE, fee, RESALE_PRICE - fee)

    # The buyer's data is on the phone now: the certificate it was sold with does not clear it for
    # the buyer's own listing (it shows, unchanged, on the sold listing for the record).
    resell = phone_payload(price_fen=RESALE_PRICE)
    resell["attributes"].update(imei=imei, serial_number=serial)
    relist = ok(client.post(f"{API}/listings", json=resell, headers=cast.buyer.headers), 201)
    r = client.post(f"{API}/listings/{relist['id']}/transitions", json={"action": "submit"},
                    headers=cast.buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required", r.json
    assert r.json["rule"] == "CERTIFICATE_USED_FOR_A_SALE" and r.json["certificate_id"] == cert["id"]
    # The recycler wipes it again for the buyer (a correction supersedes the old certificate): the
    # buyer's listing carries the new one, the sold listing still shows what it was sold with.
    now = clock.now(session)
    ok(client.post(f"{API}/certificates/custody-events", headers=cast.recycler.headers, json={
        "kind": "intake", "at": (now - timedelta(minutes=30)).isoformat(), "imei": imei}), 201)
    fix = ok(client.post(f"{API}/certificates/{cert['id']}/corrections", headers=cast.recycler.headers,
                         json=wipe_report(cast.validator.id, imeis=[imei], serial=serial, as_json=True,
                                          wiped_at=now - timedelta(minutes=20))), 201)
    again = ok(client.post(f"{API}/certificates/requests/{fix['id']}/approve", headers=cast.validator.headers), 201)
    submitted = ok(client.post(f"{API}/listings/{relist['id']}/transitions", json={"action": "submit"},
                               headers=cast.buyer.headers))
    assert submitted["certificate"]["id"] == again["id"]
    sold = ok(client.get(f"{API}/listings/{listing['id']}", headers=cast.recycler.headers))
    assert sold["status"] == "sold" and sold["certificate"]["id"] == cert["id"]

    # Retailer + buyer: a new grade-1 fridge; the quote says the budget can pay it now.
    q = ok(client.post(f"{API}/subsidies/quote", json={
        "region": "141100", "date": SUBSIDY_DATE,
        "purchase": {"kind": "refrigerator", "price_fen": FRIDGE_PRICE, "energy_grade": 1}}))
    assert q["eligible"] and q["total_fen"] == FRIDGE_SUBSIDY
    assert q["budget"]["status"] == "available" and q["budget"]["reservable"] is True
    payout_account(session, cast.retailer.org_id)
    fridge = ok(client.post(f"{API}/listings", json=fridge_payload(price_fen=FRIDGE_PRICE, region_code="141102"),
                            headers=cast.retailer.headers), 201)
    submitted = ok(client.post(f"{API}/listings/{fridge['id']}/transitions", json={"action": "submit"},
                               headers=cast.retailer.headers))
    if submitted["status"] != "published":
        ok(client.post(f"{API}/listings/{fridge['id']}/transitions", json={"action": "approve"},
                       headers=cast.operator.headers))
    before = pool_figures(client, cast.operator, cast.pool["id"])
    # No region given: the subsidy takes the listing's (Lüliang), the same as reserving by order_id.
    fo = ok(client.post(f"{API}/orders", json={"listing_id": fridge["id"], "subsidy": {"date": SUBSIDY_DATE}},
                        headers=cast.buyer.headers), 201)
    assert (fo["subsidy_fen"], fo["payable_fen"], fo["payment"]["amount_fen"]) == (
        FRIDGE_SUBSIDY, FRIDGE_PRICE - FRIDGE_SUBSIDY, FRIDGE_PRICE - FRIDGE_SUBSIDY)
    reserved = pool_figures(client, cast.operator, cast.pool["id"])
    assert reserved == (before[0] + FRIDGE_SUBSIDY, before[1], before[2] - FRIDGE_SUBSIDY)
    authorise_by_card(client, session, fo["id"])
    hand_over_and_accept(client, cast.retailer, cast.buyer, fo["id"])
    # Captured: the reservation is redeemed, the pool's remaining stays down by the subsidy.
    assert pool_figures(client, cast.operator, cast.pool["id"]) == (
        before[0], before[1] + FRIDGE_SUBSIDY, before[2] - FRIDGE_SUBSIDY)

    # Every ledger: both consumers' platform credit, and nothing else moved.
    assert store_credit(client, cast.seller) == {"platform": IPHONE_BASE}
    assert store_credit(client, cast.buyer) == {"platform": IPHONE_BASE - CREDIT_SPENT}

    # Every score: clean trades never lower a score or band, and they count where they should.
    seller_after, buyer_after = credit(client, cast.seller), credit(client, cast.buyer)
    assert not_lower(seller_after, seller_credit_before) and not_lower(buyer_after, buyer_credit_before)
    assert not any(k.startswith("record:") and v["points"] < 0 for k, v in seller_after["factors"].items())
    def kinds(subject):
        return sorted(session.scalars(select(CreditEvent.kind).where(CreditEvent.subject_id == subject)))
    assert kinds(cast.buyer.id) == ["order_completed_buyer", "order_completed_buyer"]
    assert "inspection_mismatch" not in kinds(cast.seller.id)
    assert kinds(cast.recycler.org_id).count("wipe_certificate_ok") == 2   # the wipe, and the re-wipe

    # Consumer (seller): the platform credit left over goes to their own Connect account.
    payout_account(session, user_id=cast.seller.id)
    w = ok(client.post(f"{API}/store-credit/withdrawals", json={"amount_fen": 100000},
                       headers={**cast.seller.headers, "Idempotency-Key": "trust-chain-withdrawal"}), 201)
    # The credit is taken at once; the transfer is made right after the commit (the answer, kept
    # for replays of the key, was built before it).
    assert w["status"] == "pending" and w["balance_fen"] == IPHONE_BASE - 100000
    session.expire_all()
    assert session.get(JournalEntry, uuid.UUID(w["id"])).ref_id.startswith("tr_")
    assert store_credit(client, cast.seller) == {"platform": IPHONE_BASE - 100000}

    # Consumer (seller) again: a second phone declared flawless, found cracked, costs points
    # through a visible factor, and the manual review their band keeps applies to their listings.
    body = phone_quote()
    t2 = ok(client.post(f"{API}/tradeins", json=body, headers=cast.seller.headers), 201)
    ok(client.post(f"{API}/tradeins/{t2['id']}/accept", headers=cast.seller.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(cast.recycler.org_id)},
        "payout": {"method": "store_credit"}}))
    ok(client.post(f"{API}/tradeins/{t2['id']}/receive", headers=cast.recycler.headers))
    ok(client.post(f"{API}/tradeins/{t2['id']}/photos", headers=cast.recycler.headers,
                   data={"file": (io.BytesIO(png()), "f.png")}, content_type="multipart/form-data"), 201)
    countered = ok(inspect(client, cast.recycler, t2, phone_answers(screen="cracked"), imei=body["imei"]))
    assert countered["status"] == "counter_offered"
    mismatched = credit(client, cast.seller)
    assert mismatched["score"] < seller_after["score"]
    assert BANDS.index(mismatched["band"]) <= BANDS.index(seller_after["band"])
    assert mismatched["factors"]["record:inspection_mismatch"]["points"] < 0
    privileges = ok(client.get(f"{API}/credit/me/privileges", headers=cast.seller.headers))["privileges"]
    assert privileges["manual_review_new_listings"] is True
    lid = ok(client.post(f"{API}/listings", json=fridge_payload(), headers=cast.seller.headers), 201)["id"]
    assert ok(client.post(f"{API}/listings/{lid}/transitions", json={"action": "submit"},
                          headers=cast.seller.headers))["status"] == "pending_review"


# ---- the refusals, in the same setting -----------------------------------------------------------

def refused(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.json)
    assert r.mimetype == "application/problem+json"
    if code:
        assert r.json["code"] == code, r.json
    return r.json


def certified_listing_on_sale(client, cast: Cast) -> tuple[dict, str]:
    """The recycler's certified phone, on sale (certified as in the journey)."""
    from tests.factories.listings import imei as new_imei
    dev, serial = new_imei(), f"F2LXE2E{uuid.uuid4().hex[:5].upper()}"
    certify_by_api(client, cast.recycler, cast.validator, dev, serial)
    return recycler_lists_for_resale(client, cast, dev, serial), dev


def test_an_unverified_recycler_neither_collects_nor_certifies_until_an_operator_vets_it(
        stripe_client, session, cast):
    """Two accounts registered a minute ago form a recycler: it takes no trade-in, publishes no
    pickup offer and signs no certificate until the operator has checked its credit code and
    recycling registration number."""
    client = stripe_client
    newcomer = make_user(session, Role.RECYCLER, verified_org=False)
    partner = make_user(session, Role.RECYCLER)
    invite_and_accept(client, newcomer, partner)
    assert ok(client.get(f"{API}/organizations/{newcomer.org_id}",
                         headers=newcomer.headers))["verification_status"] == "unverified"

    from tests.factories.pickups import offer_payload
    refused(client.put(f"{API}/pickups/recyclers/{newcomer.org_id}", json=offer_payload(),
                       headers=newcomer.headers), 403, "organisation_not_verified")
    body = phone_quote()
    t = ok(client.post(f"{API}/tradeins", json=body, headers=cast.seller.headers), 201)
    r = client.post(f"{API}/tradeins/{t['id']}/accept", headers=cast.seller.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(newcomer.org_id)},
        "payout": {"method": "store_credit"}})
    assert "handover.collection_point_org_id" in refused(r, 422)["errors"]
    ok(client.post(f"{API}/certificates/custody-events", headers=newcomer.headers, json={
        "kind": "intake", "at": (clock.now(session) - timedelta(hours=2)).isoformat(), "imei": body["imei"]}), 201)
    report = wipe_report(partner.id, imeis=[body["imei"]], serial=None, as_json=True,
                         wiped_at=clock.now(session) - timedelta(hours=1))
    refused(client.post(f"{API}/certificates/requests", json=report, headers=newcomer.headers),
            403, "organisation_not_verified")
    assert ok(client.post(f"{API}/certificates/lookup", json={"imei": body["imei"]}))["found"] is False

    # Vetted by the operator (audited in operator_sets_the_stage's vet): now it may.
    vet(client, cast.operator, newcomer, recycling_reg_no="晋回收备-0777")
    ok(client.put(f"{API}/pickups/recyclers/{newcomer.org_id}", json=offer_payload(), headers=newcomer.headers))
    req = ok(client.post(f"{API}/certificates/requests", json=report, headers=newcomer.headers), 201)
    cert = ok(client.post(f"{API}/certificates/requests/{req['id']}/approve", headers=partner.headers), 201)
    assert ok(client.post(f"{API}/certificates/lookup", json={"imei": body["imei"]}))["certificate"]["id"] == cert["id"]


def test_nobody_joins_an_organisation_without_accepting_and_a_member_can_leave(stripe_client, session, cast):
    """The retailer of the journey invites another retailer by email: until the invitee accepts
    they are no member, their listings stay theirs, and the inviter can neither edit them nor
    answer for them; having accepted, they name the organisation to list under, and can leave."""
    client = stripe_client
    owner, victim = cast.retailer, make_user(session, Role.RETAILER)
    inv = ok(client.post(f"{API}/organizations/{owner.org_id}/invitations", json={"email": victim.user.email},
                         headers=owner.headers), 201)
    assert inv["status"] == "pending"
    mine = ok(client.post(f"{API}/listings", json=fridge_payload(), headers=victim.headers), 201)
    assert mine["org_id"] == str(victim.org_id)
    refused(client.post(f"{API}/listings", json={**fridge_payload(), "org_id": str(owner.org_id)},
                        headers=victim.headers), 403, "not_a_member")
    assert client.patch(f"{API}/listings/{mine['id']}", json={"price_fen": 100},
                        headers=owner.headers).status_code in (403, 404)
    assert client.get(f"{API}/organizations/{owner.org_id}", headers=victim.headers).status_code == 404
    assert client.post(f"{API}/organizations/invitations/{inv['id']}/accept",
                       headers=owner.headers).status_code == 404           # only the invitee answers
    assert ok(client.post(f"{API}/organizations/invitations/{inv['id']}/decline",
                          headers=victim.headers))["status"] == "declined"
    refused(client.post(f"{API}/organizations/invitations/{inv['id']}/accept", headers=victim.headers), 409)
    members = ok(client.get(f"{API}/organizations/{owner.org_id}", headers=owner.headers))["members"]
    assert [m["user_id"] for m in members] == [str(owner.id)]

    # Invited again and accepting: a member names the organisation a listing is for, then leaves.
    invite_and_accept(client, owner, victim)
    assert "org_id" in refused(client.post(f"{API}/listings", json=fridge_payload(), headers=victim.headers),
                               422)["errors"]
    assert client.post(f"{API}/organizations/{owner.org_id}/leave", headers=victim.headers).status_code == 204
    assert ok(client.post(f"{API}/listings", json=fridge_payload(), headers=victim.headers),
              201)["org_id"] == str(victim.org_id)


def test_a_published_listing_stays_what_was_approved(stripe_client, session, cast):
    """The certified resale phone: a new title waits for review while the approved one (and its
    certificate) stays on sale and in search; contact details are refused naming the field; a
    price cut applies at once, a rise above the threshold waits too."""
    client = stripe_client
    listing, _ = certified_listing_on_sale(client, cast)
    lid, rec = listing["id"], cast.recycler

    r = client.patch(f"{API}/listings/{lid}", json={"description": "全新 加微信 seller_2026 私聊"}, headers=rec.headers)
    errors = refused(r, 422)["errors"]
    assert list(errors) == ["description"] and "WeChat" in errors["description"][0]

    r = client.patch(f"{API}/listings/{lid}", json={"title": "苹果 iPhone 13 Pro 256G 全新未拆"}, headers=rec.headers)
    assert r.status_code == 202, r.json
    rid = r.headers["Location"].rsplit("/", 1)[1]
    public = ok(client.get(f"{API}/listings/{lid}"))
    assert (public["title"], public["status"]) == (listing["title"], "published")
    assert public["certificate"] == listing["certificate"]
    [hit] = ok(client.get(f"{API}/search", query_string={"certified": "true"}))["items"]
    assert (hit["id"], hit["title"]) == (lid, listing["title"])

    rise = client.patch(f"{API}/listings/{lid}", json={"price_fen": RESALE_PRICE * 2}, headers=rec.headers)
    assert rise.status_code == 202 and ok(client.get(f"{API}/listings/{lid}"))["price_fen"] == RESALE_PRICE
    # The cut applies at once and takes the held rise out of the revision; the title still waits (202).
    cut = client.patch(f"{API}/listings/{lid}", json={"price_fen": RESALE_PRICE - 20000}, headers=rec.headers)
    assert cut.status_code == 202 and cut.json["price_fen"] == RESALE_PRICE - 20000
    assert ok(client.get(f"{API}/listings/{lid}"))["price_fen"] == RESALE_PRICE - 20000
    [rev] = ok(client.get(f"{API}/listings/{lid}/revisions", headers=rec.headers))
    assert (rev["id"], rev["status"]) == (rid, "pending") and "price_fen" not in rev["changes"]
    hist = ok(client.get(f"{API}/listings/{lid}/price-history"))
    assert [(h["old_price_fen"], h["new_price_fen"]) for h in hist] == [(RESALE_PRICE, RESALE_PRICE - 20000)]

    # Only the operator's approval puts the new title on sale.
    refused(client.post(f"{API}/listing-revisions/{rid}/transitions", json={"action": "approve"},
                        headers=rec.headers), 403)
    ok(client.post(f"{API}/listing-revisions/{rid}/transitions", json={"action": "approve"},
                   headers=cast.operator.headers))
    assert ok(client.get(f"{API}/listings/{lid}"))["title"] == "苹果 iPhone 13 Pro 256G 全新未拆"


@pytest.mark.parametrize("kind, attrs, field", [
    ("tablet", {}, "attributes.imei"),
    ("laptop", {}, "attributes.serial_number"),
    ("other", {}, "attributes.serial_number"),
    ("game_console", {}, "attributes.serial_number"),
])
def test_a_data_bearing_device_without_its_identifier_is_refused_naming_the_field(
        stripe_client, session, cast, kind, attrs, field):
    payload = {"category": "electronics", "title": f"回收 {kind} 九成新", "price_fen": 99000,
               "condition": "good", "region_code": "140100",
               "attributes": {"kind": kind, "brand": "Acme", "model": "X1", **attrs}}
    r = stripe_client.post(f"{API}/listings", json=payload, headers=cast.recycler.headers)
    assert list(refused(r, 422)["errors"]) == [field]


def test_a_data_bearing_device_without_a_certificate_is_not_sold(stripe_client, session, cast):
    """A tablet listed by serial has no certificate: it is not submitted; a traded-in phone that is
    paid for is not cleared for resale; a certificate revoked after publication takes the listing
    out of certified search."""
    client = stripe_client
    tablet = {"category": "electronics", "title": "iPad 第九代 WLAN 64G", "price_fen": 99000,
              "condition": "good", "region_code": "140100",
              "attributes": {"kind": "tablet", "brand": "Apple", "model": "iPad 9", "serial_number": "DMPXE2ETAB01"}}
    lid = ok(client.post(f"{API}/listings", json=tablet, headers=cast.seller.headers), 201)["id"]
    refused(client.post(f"{API}/listings/{lid}/transitions", json={"action": "submit"},
                        headers=cast.seller.headers), 409, "wipe_certificate_required")

    listing, _ = certified_listing_on_sale(client, cast)
    cert_id = listing["certificate"]["id"]
    ok(client.post(f"{API}/certificates/{cert_id}/revocations", json={"reason": "QC re-check failed"},
                   headers=cast.operator.headers))
    assert ok(client.get(f"{API}/listings/{listing['id']}"))["certificate"]["status"] == "revoked"
    assert ok(client.get(f"{API}/search", query_string={"certified": "true"}))["items"] == []
    # Bought anyway (the buyer sees "revoked"): the gate runs again at capture, so the held card
    # money is not taken and the recycler is not paid until the device is certified again.
    payout_account(session, cast.recycler.org_id)
    o = ok(client.post(f"{API}/orders", json={"listing_id": listing["id"]}, headers=cast.buyer.headers), 201)
    authorise_by_card(client, session, o["id"])
    ok(client.post(f"{API}/orders/{o['id']}/handover", headers=cast.recycler.headers))
    held = ok(client.post(f"{API}/orders/{o['id']}/accept", headers=cast.buyer.headers))
    assert held["status"] == "accepted" and held["payment"]["captured_fen"] == 0
    assert "wipe_certificate_required" in held["attention"]
    assert ok(client.get(f"{API}/payments/payouts", headers=cast.recycler.headers))["items"] == []
