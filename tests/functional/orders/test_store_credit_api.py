"""Store credit that works, through the HTTP API (issue 13, item 6): platform-issued credit pays
any order, alone or with card (stripe-mock) or cash, and the seller is paid that part; a
retailer's credit pays only at that retailer; errors name each balance and its issuer; refunds
return credit to where it came from and the card part to the card; platform credit can be
withdrawn to the consumer's Connect account. After every step the money adds up."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from marketplace import jobs as job_runner
from services.accounts.models import Organization, Role
from services.flows import withdrawals
from services.ledger import service as ledger
from services.ledger.models import JournalEntry, LedgerAccount, Posting
from services.orders.models import Order
from services.payments import relay
from services.payments.models import OperationState, Payment, PaymentOperation, Payout, SellerAccount
from services.tradeins.models import Clawback
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import Recording, event, intent_obj, post_event, publish, stripe_gateway
from tests.factories.races import race_clients
from tests.factories.subsidies import resident_id
from tests.factories.tradeins import (IPHONE_BASE, accept_dropoff, inspect, phone_answers, phone_quote,
                                      receive_and_photo, seed_table)

REPORTED = 33200   # the issue's ¥332 of platform credit


def issue(session, user, amount_fen, org_id=None):
    """Credit as a trade-in payout grants it (org_id None: a platform trade-in)."""
    ledger.issue_store_credit(session, user.id, org_id, amount_fen, ref_type="tradein", ref_id=uuid.uuid4(),
                              idempotency_key=f"test-{uuid.uuid4()}")
    session.commit()


def payout_account(session, *, user=None, org_id=None):
    session.add(SellerAccount(owner_user_id=user.id if user else None, owner_org_id=org_id,
                              stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}", charges_enabled=True,
                              payouts_enabled=True, details_submitted=True, synced_event_at=0))
    session.commit()


def balances(client, actor) -> dict:
    return {a["org_id"] or "platform": a["balance_fen"]
            for a in client.get("/api/v1/store-credit/accounts", headers=actor.headers).json}


def order(client, buyer, listing, **body):
    return client.post("/api/v1/orders", json={"listing_id": str(listing.id), **body}, headers=buyer.headers)


def assert_money_adds_up(session):
    """Every order's money fields, its payment and payout, and the whole ledger agree."""
    session.expire_all()
    for o in session.scalars(select(Order)):
        pay = session.scalar(select(Payment).where(Payment.order_id == o.id))
        assert o.price_fen == o.subsidy_fen + o.store_credit_fen + o.payable_fen and o.payable_fen >= 0
        assert 0 <= o.platform_credit_fen <= o.store_credit_fen
        assert pay.amount_fen == o.payable_fen
        spent = session.scalar(select(func.coalesce(func.sum(Posting.amount_fen), 0))
                               .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                               .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
                               .where(JournalEntry.ref_type == "order", JournalEntry.ref_id == str(o.id),
                                      LedgerAccount.kind == "store_credit"))
        live = o.status.value not in ("cancelled", "refunded")
        assert -spent == (o.store_credit_fen if live else 0), (o.status, spent)
        payout = session.scalar(select(Payout).where(Payout.order_id == o.id))
        if payout is not None:
            money = 0 if pay.provider == "offline" else pay.captured_fen - pay.refunded_fen
            assert payout.gross_fen == money + (o.platform_credit_fen if live else 0)
            assert payout.net_fen + payout.fee_fen == payout.gross_fen
    for entry_id, total in session.execute(select(Posting.entry_id, func.sum(Posting.amount_fen))
                                           .group_by(Posting.entry_id)):
        assert total == 0, entry_id
    assert session.scalar(select(func.coalesce(func.sum(LedgerAccount.balance_fen), 0))) == 0
    for acc in session.scalars(select(LedgerAccount)):
        posted = session.scalar(select(func.coalesce(func.sum(Posting.amount_fen), 0))
                                .where(Posting.account_id == acc.id))
        assert acc.balance_fen == posted and (acc.allow_negative or acc.balance_fen >= 0)


@pytest.fixture
def buyer(session):
    return make_user(session, Role.CONSUMER)


@pytest.fixture
def fridge(session, retailer, operator):
    return publish(session, retailer, operator, fridge_payload(price_fen=300000))


def test_platform_trade_in_credit_pays_a_retailers_order_with_card_and_comes_back_on_refund(
        stripe_client, session, buyer, recycler, retailer, operator, fridge):
    seed_table(session)
    # A platform trade-in paid in store credit (no retailer named): the credit is the platform's.
    body = phone_quote()
    t = stripe_client.post("/api/v1/tradeins", json=body, headers=buyer.headers).json
    accept_dropoff(stripe_client, buyer, t["id"], recycler.org_id)
    receive_and_photo(stripe_client, recycler, t["id"])
    assert inspect(stripe_client, recycler, t, phone_answers(), imei=body["imei"]).json["status"] == "paid"
    assert balances(stripe_client, buyer) == {"platform": IPHONE_BASE}
    payout_account(session, org_id=retailer.org_id)

    r = order(stripe_client, buyer, fridge, store_credit_fen=REPORTED)
    assert r.status_code == 201, r.json
    o = r.json
    assert (o["store_credit_fen"], o["platform_credit_fen"], o["payable_fen"]) == (
        REPORTED, REPORTED, 300000 - REPORTED)
    assert o["payment_method"] == "card" and o["payment"]["amount_fen"] == 300000 - REPORTED
    assert balances(stripe_client, buyer)["platform"] == IPHONE_BASE - REPORTED
    assert_money_adds_up(session)

    pay = session.scalar(select(Payment).where(Payment.order_id == o["id"]))
    ok = post_event(stripe_client, event("payment_intent.amount_capturable_updated",
                                         intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture")))
    assert ok.status_code == 200
    assert stripe_client.post(f"/api/v1/orders/{o['id']}/handover", headers=retailer.headers).status_code == 200
    r = stripe_client.post(f"/api/v1/orders/{o['id']}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    assert r.json["payment"]["captured_fen"] == 300000 - REPORTED
    # The retailer is paid the whole price less the fee: the platform pays the credit part.
    [p] = stripe_client.get("/api/v1/payments/payouts", headers=retailer.headers).json["items"]
    assert (p["gross_fen"], p["fee_fen"], p["net_fen"], p["status"]) == (300000, 15000, 285000, "paid")
    assert_money_adds_up(session)

    r = stripe_client.post(f"/api/v1/orders/{o['id']}/refunds", json={"reason": "退货 returned"},
                           headers=retailer.headers)
    assert r.status_code == 200 and r.json["status"] == "refunded", r.json
    # The card part went back to the card, the credit to the platform account it came from.
    assert r.json["payment"]["refunded_fen"] == 300000 - REPORTED
    assert balances(stripe_client, buyer) == {"platform": IPHONE_BASE}
    session.expire_all()
    payout = session.scalar(select(Payout).where(Payout.order_id == o["id"]))
    assert payout.reversed_fen == 285000 and payout.gross_fen == 0
    assert_money_adds_up(session)


def test_credit_alone_pays_a_retailers_listing_the_reported_case(client, session, buyer, retailer, fridge):
    """¥332 of platform credit covers a ¥332 item: the order is paid at once, no card or cash."""
    issue(session, buyer, REPORTED)
    cheap = publish(session, retailer, make_user(session, Role.OPERATOR), fridge_payload(price_fen=REPORTED))
    r = order(client, buyer, cheap, store_credit_fen=REPORTED)
    assert r.status_code == 201, r.json
    o = r.json
    assert (o["status"], o["payment_method"], o["payable_fen"]) == ("paid_held", "store_credit", 0)
    assert o["payment"]["provider"] == "credit" and o["payment"]["client_secret"] is None
    assert balances(client, buyer) == {"platform": 0}
    assert client.post(f"/api/v1/orders/{o['id']}/handover", headers=retailer.headers).status_code == 200
    r = client.post(f"/api/v1/orders/{o['id']}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    # Offline installation: the platform owes the seller the credit part (a transfer needs Stripe).
    payout = session.scalar(select(Payout).where(Payout.order_id == o["id"]))
    assert (payout.gross_fen, payout.status.value) == (REPORTED, "pending") and payout.last_error
    assert_money_adds_up(session)
    # A partial refund of a credit-only order is refused; a full one gives the credit back whole.
    r = client.post(f"/api/v1/orders/{o['id']}/refunds", json={"reason": "x", "amount_fen": 100},
                    headers=retailer.headers)
    assert r.status_code == 422 and "amount_fen" in r.json["errors"]
    r = client.post(f"/api/v1/orders/{o['id']}/refunds", json={"reason": "退货"}, headers=retailer.headers)
    assert r.status_code == 200 and r.json["status"] == "refunded"
    assert balances(client, buyer) == {"platform": REPORTED}
    session.expire_all()
    assert session.scalar(select(Payout).where(Payout.order_id == o["id"])).status.value == "cancelled"
    assert_money_adds_up(session)


def test_platform_credit_with_cash_at_a_consumers_listing(client, session, buyer, consumer, operator):
    issue(session, buyer, REPORTED)
    listing = publish(session, consumer, operator, fridge_payload(price_fen=150000))
    r = order(client, buyer, listing, store_credit_fen=REPORTED, store_credit_issuer="platform")
    assert r.status_code == 201, r.json
    o = r.json
    assert (o["payment_method"], o["payable_fen"], o["payment"]["amount_fen"]) == ("cash", 150000 - REPORTED,
                                                                                  150000 - REPORTED)
    assert client.post(f"/api/v1/orders/{o['id']}/cash-received", headers=consumer.headers).status_code == 200
    r = client.post(f"/api/v1/orders/{o['id']}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed"
    # The seller holds the cash; the platform owes them the credit part, less its fee on that part.
    payout = session.scalar(select(Payout).where(Payout.order_id == o["id"]))
    assert (payout.gross_fen, payout.fee_fen, payout.owner_user_id) == (REPORTED, 1660, consumer.id)
    assert_money_adds_up(session)


def test_cancel_returns_each_credit_to_its_own_account(client, session, buyer, retailer, fridge):
    issue(session, buyer, 10000, retailer.org_id)
    issue(session, buyer, REPORTED)
    r = order(client, buyer, fridge, store_credit_fen=40000)   # the seller's own credit first, then the platform's
    assert r.status_code == 201, r.json
    assert (r.json["store_credit_fen"], r.json["platform_credit_fen"]) == (40000, 30000)
    assert balances(client, buyer) == {str(retailer.org_id): 0, "platform": REPORTED - 30000}
    assert_money_adds_up(session)
    r = client.post(f"/api/v1/orders/{r.json['id']}/cancel", json={}, headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert balances(client, buyer) == {str(retailer.org_id): 10000, "platform": REPORTED}
    assert_money_adds_up(session)


def test_errors_name_the_balance_and_the_issuer(client, session, buyer, retailer, operator, fridge):
    other_shop = make_user(session, Role.RETAILER)
    elsewhere = publish(session, other_shop, operator, fridge_payload(price_fen=300000))
    issue(session, buyer, 10000, retailer.org_id)
    issue(session, buyer, REPORTED)
    # Another retailer's credit is not accepted here: 422 naming the field and the issuer.
    r = order(client, buyer, elsewhere, store_credit_fen=5000, store_credit_issuer=str(retailer.org_id))
    assert r.status_code == 422 and list(r.json["errors"]) == ["store_credit_issuer"]
    org_name = session.get(Organization, retailer.org_id).name
    assert r.json["detail"] == f"store credit issued by {org_name} is spent only on {org_name}'s listings"
    # Short: the 409 lists the balances it looked at, each with its issuer.
    r = order(client, buyer, elsewhere, store_credit_fen=REPORTED + 1)
    assert r.status_code == 409 and r.json["code"] == "insufficient_store_credit", r.json
    other_name = session.get(Organization, other_shop.org_id).name
    assert r.json["balances"] == [
        {"issuer": "retailer", "org_id": str(other_shop.org_id), "issuer_name": other_name, "balance_fen": 0},
        {"issuer": "platform", "org_id": None, "issuer_name": "the platform", "balance_fen": REPORTED}]
    assert r.json["detail"] == (f"not enough store credit for ¥332.01: you have ¥0.00 from {other_name}, "
                                "¥332.00 from the platform")
    r = order(client, buyer, fridge, store_credit_fen=REPORTED + 10001)
    assert r.status_code == 409 and [(b["issuer"], b["balance_fen"]) for b in r.json["balances"]] == [
        ("retailer", 10000), ("platform", REPORTED)]
    assert (r.json["balances"][0]["org_id"], r.json["balances"][0]["issuer_name"]) == (str(retailer.org_id), org_name)
    r = order(client, buyer, fridge, store_credit_fen=300001)
    assert r.status_code == 422 and "store_credit_fen" in r.json["errors"]
    r = order(client, buyer, fridge, store_credit_fen=100, store_credit_issuer="someone")
    assert r.status_code == 422 and "store_credit_issuer" in r.json["errors"]
    # Nothing was placed and nothing moved.
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert balances(client, buyer) == {str(retailer.org_id): 10000, "platform": REPORTED}


def test_withdraw_platform_credit_to_the_payout_account(stripe_client, session, buyer, retailer):
    issue(session, buyer, REPORTED)
    issue(session, buyer, 5000, retailer.org_id)
    url = "/api/v1/store-credit/withdrawals"
    h = {**buyer.headers, "Idempotency-Key": "withdraw-1"}
    r = stripe_client.post(url, json={"amount_fen": 20000}, headers=h)
    assert r.status_code == 409 and r.json["code"] == "payout_account_required"
    payout_account(session, user=buyer)
    r = stripe_client.post(url, json={"amount_fen": 20000}, headers=buyer.headers)
    assert r.status_code == 422 and "Idempotency-Key" in r.json["errors"]
    r = stripe_client.post(url, json={"amount_fen": 20000}, headers=h)
    assert r.status_code == 201, r.json
    # The credit is taken at once; the transfer is made after the commit (the answer was built before).
    assert r.json["status"] == "pending" and r.json["balance_fen"] == REPORTED - 20000
    session.expire_all()
    assert session.get(JournalEntry, uuid.UUID(r.json["id"])).ref_id.startswith("tr_")
    again = stripe_client.post(url, json={"amount_fen": 20000}, headers=h)
    assert again.status_code == 201 and again.json["id"] == r.json["id"]
    # Only platform credit is withdrawn: the retailer's credit does not count.
    r = stripe_client.post(url, json={"amount_fen": REPORTED - 20000 + 1}, headers={**h, "Idempotency-Key": "w2"})
    assert r.status_code == 409 and r.json["code"] == "insufficient_store_credit"
    assert r.json["balances"] == [{"issuer": "platform", "org_id": None, "issuer_name": "the platform",
                                   "balance_fen": REPORTED - 20000}]
    assert balances(stripe_client, buyer) == {"platform": REPORTED - 20000, str(retailer.org_id): 5000}
    acc = [a for a in stripe_client.get("/api/v1/store-credit/accounts", headers=buyer.headers).json
           if a["org_id"] is None][0]
    st = stripe_client.get(f"/api/v1/store-credit/accounts/{acc['id']}/statement", headers=buyer.headers).json
    assert [(i["kind"], i["amount_fen"], i["ref_type"]) for i in st["items"]][0] == (
        "withdrawal", -20000, "stripe_transfer")
    assert stripe_client.post(url, json={"amount_fen": 1}, headers={**retailer.headers,
                                                                     "Idempotency-Key": "w3"}).status_code == 403
    # Money owed back on a trade-in is recovered before credit leaves as cash.
    seed_table(session)
    t = stripe_client.post("/api/v1/tradeins", json=phone_quote(), headers=buyer.headers).json
    session.add(Clawback(tradein_id=t["id"], user_id=buyer.id, amount_fen=5000, recovered_fen=1000, status="open",
                         due_at=datetime.now(timezone.utc)))
    session.commit()
    r = stripe_client.post(url, json={"amount_fen": 100}, headers={**h, "Idempotency-Key": "w4"})
    assert r.status_code == 409 and (r.json["code"], r.json["owed_fen"]) == ("clawback_open", 4000)
    assert_money_adds_up(session)


def test_concurrent_withdrawals_never_take_more_than_the_balance(stripe_app, session, buyer):
    issue(session, buyer, REPORTED)
    payout_account(session, user=buyer)
    codes = [r.status_code for r in race_clients(stripe_app, 3, lambda c, i: c.post(
        "/api/v1/store-credit/withdrawals", json={"amount_fen": 20000},
        headers={**buyer.headers, "Idempotency-Key": f"race-{i}"}))]
    assert sorted(codes) == [201, 409, 409]
    assert ledger.balance(session, buyer.id, None) == REPORTED - 20000
    assert_money_adds_up(session)


def test_concurrent_orders_never_spend_the_same_credit_twice(app, session, buyer, retailer, operator):
    issue(session, buyer, REPORTED)
    listings = [publish(session, retailer, operator, fridge_payload(price_fen=300000)) for _ in range(3)]
    codes = [r.status_code for r in race_clients(app, len(listings), lambda c, i: order(
        c, buyer, listings[i], store_credit_fen=20000, store_credit_issuer="platform"))]
    assert sorted(codes) == [201, 409, 409]
    assert ledger.balance(session, buyer.id, None) == REPORTED - 20000
    assert_money_adds_up(session)


def test_subsidy_platform_credit_and_card_on_one_new_appliance(stripe_client, session, retailer, operator):
    """The issue's buyer: a subsidy on a retailer's new grade-1 fridge, ¥332 of platform credit and
    the rest by card; the pool, the ledger and the retailer's payout each move as they should."""
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    issue(session, buyer, REPORTED)
    payout_account(session, org_id=retailer.org_id)
    pool = stripe_client.post("/api/v1/subsidies/pools", json={"programme": "CN-2025-appliance", "region": "140000",
                                                               "budget_fen": 10_000_000}, headers=operator.headers).json
    fridge = publish(session, retailer, operator, fridge_payload(price_fen=300000, region_code="141102"))
    r = order(stripe_client, buyer, fridge, subsidy={"date": "2025-06-01"}, store_credit_fen=REPORTED)
    assert r.status_code == 201, r.json
    o = r.json
    assert (o["subsidy_fen"], o["store_credit_fen"], o["platform_credit_fen"], o["payable_fen"]) == (
        60000, REPORTED, REPORTED, 300000 - 60000 - REPORTED)
    assert o["payment"]["amount_fen"] == o["payable_fen"]
    assert_money_adds_up(session)
    pay = session.scalar(select(Payment).where(Payment.order_id == o["id"]))
    post_event(stripe_client, event("payment_intent.amount_capturable_updated",
                                    intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture")))
    stripe_client.post(f"/api/v1/orders/{o['id']}/handover", headers=retailer.headers)
    r = stripe_client.post(f"/api/v1/orders/{o['id']}/accept", headers=buyer.headers)
    assert r.json["status"] == "completed", r.json
    [p] = [p for p in stripe_client.get("/api/v1/subsidies/pools", headers=operator.headers).json
           if p["id"] == pool["id"]]
    assert (p["reserved_fen"], p["redeemed_fen"]) == (0, 60000)
    # The retailer claims the subsidy from the programme; the platform pays it card + credit.
    [payout] = stripe_client.get("/api/v1/payments/payouts", headers=retailer.headers).json["items"]
    assert (payout["gross_fen"], payout["status"]) == (300000 - 60000, "paid")
    assert balances(stripe_client, buyer) == {"platform": 0}
    assert_money_adds_up(session)


def test_a_withdrawal_while_stripe_is_down_is_paid_once_by_reconciliation(
        stripe_app, stripe_client, session, buyer, use_gateway, frozen):
    issue(session, buyer, REPORTED)
    payout_account(session, user=buyer)
    down = Recording(stripe_gateway(), fail={"transfer"})
    use_gateway(down)
    h = {**buyer.headers, "Idempotency-Key": "withdraw-retry"}
    r = stripe_client.post("/api/v1/store-credit/withdrawals", json={"amount_fen": 10000}, headers=h)
    # Accepted: the credit is taken and the transfer waits for Stripe (tried once after the commit).
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["transfer_id"] is None
    assert ledger.balance(session, buyer.id, None) == REPORTED - 10000
    assert len(down.keys("transfer")) == 1
    up = Recording(stripe_gateway())
    use_gateway(up)
    frozen.advance(relay.backoff(1) + timedelta(seconds=1))
    assert job_runner.run_job(stripe_app, job_runner.scheduled(relay.reconcile)) == 1
    session.expire_all()
    assert session.get(JournalEntry, uuid.UUID(r.json["id"])).ref_id.startswith("tr_")
    assert up.keys("transfer") == down.keys("transfer")   # the same key: Stripe pays once
    assert down.calls[0][1:] == up.calls[0][1:]           # same destination, amount, reference
    assert job_runner.run_job(stripe_app, job_runner.scheduled(relay.reconcile)) == 0
    again = stripe_client.post("/api/v1/store-credit/withdrawals", json={"amount_fen": 10000}, headers=h)
    assert again.json["id"] == r.json["id"] and len(up.keys("transfer")) == 1
    assert ledger.balance(session, buyer.id, None) == REPORTED - 10000
    assert_money_adds_up(session)


def test_a_withdrawal_stripe_refuses_gives_the_credit_back(stripe_app, stripe_client, session, buyer, use_gateway):
    issue(session, buyer, REPORTED)
    payout_account(session, user=buyer)
    use_gateway(Recording(stripe_gateway(), fail={"transfer"}, declined=True))
    r = stripe_client.post("/api/v1/store-credit/withdrawals", json={"amount_fen": 10000},
                           headers={**buyer.headers, "Idempotency-Key": "withdraw-refused"})
    assert r.status_code == 201 and r.json["status"] == "pending"
    session.expire_all()
    assert ledger.balance(session, buyer.id, None) == REPORTED
    entry = session.get(JournalEntry, uuid.UUID(r.json["id"]))
    assert entry.ref_type == "refused_transfer" and withdrawals.transfer_status(entry) == "refused"
    [op] = session.scalars(select(PaymentOperation))
    assert op.state == OperationState.FAILED and op.order_id is None
    assert_money_adds_up(session)
