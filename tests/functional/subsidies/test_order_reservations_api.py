"""Reserving the subsidy of a marketplace order through POST /subsidies/reservations (the order
path): who may, which orders, what it does to the payment, and how the reservation then follows
the order (redeemed on capture, released on cancel, clawed back on refund or by the retailer)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace import jobs as job_runner
from services.accounts.models import Role
from services.payments import interface as payment_relay
from services.payments.gateway import GatewayError
from services.payments.models import Payment, PaymentOperation
from services.subsidies import reservations
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import Recording, event, intent_obj, post_event, publish, stripe_gateway
from tests.factories.subsidies import open_pool, resident_id

pytestmark = pytest.mark.usefixtures("fast_passwords")  # many accounts; passwords are not under test

QUOTE = {"region": "141100", "date": "2025-06-01"}        # the buyer's side; what is bought is the listing
SUBSIDY = 60000                                           # grade-1 fridge at 3,000 yuan: 20 %


@pytest.fixture
def pool(client, operator):
    return open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)


@pytest.fixture
def buyer(session):
    return make_user(session, Role.CONSUMER, verified_id=resident_id())


@pytest.fixture
def listing(session, retailer, operator):
    return publish(session, retailer, operator, fridge_payload(price_fen=300000))


def place(client, buyer, listing) -> dict:
    r = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers)
    assert r.status_code == 201, r.json
    return r.json


def reserve(client, actor, order_id, quote=QUOTE, **body):
    body = {"order_id": str(order_id), **({"quote_request": quote} if quote is not None else {}), **body}
    return client.post("/api/v1/subsidies/reservations", json=body, headers=actor.headers)


def act(client, actor, rid, action, **body):
    return client.post(f"/api/v1/subsidies/reservations/{rid}/{action}", json=body, headers=actor.headers)


def pool_state(client, operator, pool_id):
    [p] = [p for p in client.get("/api/v1/subsidies/pools", headers=operator.headers).json if p["id"] == pool_id]
    return p["reserved_fen"], p["redeemed_fen"]


def test_retailer_reserves_for_an_unpaid_order_and_the_buyer_pays_less(client, buyer, retailer, operator, listing,
                                                                         pool):
    order = place(client, buyer, listing)
    assert (order["subsidy_fen"], order["payable_fen"], order["payment"]["amount_fen"]) == (0, 300000, 300000)
    # Kind, price and grades come from the listing: the quote may not say otherwise.
    r = reserve(client, retailer, order["id"], quote={**QUOTE, "purchase": {"kind": "television", "price_fen": 1}})
    assert r.status_code == 422 and set(r.json["errors"]) == {
        "quote_request.purchase.kind", "quote_request.purchase.price_fen"}, r.json
    r = reserve(client, retailer, order["id"])
    assert r.status_code == 201, r.json
    res = r.json
    assert (res["source"], res["order_id"], res["sale_id"], res["org_id"]) == (
        "order", order["id"], None, str(retailer.org_id))
    assert (res["status"], res["kind"], res["total_fen"], res["region"]) == ("reserved", "refrigerator", SUBSIDY, "141100")
    assert res["lines"][0]["basis_fen"] == 300000 and r.headers["Location"].endswith(res["id"])
    got = client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json
    assert (got["subsidy_fen"], got["payable_fen"], got["payment"]["amount_fen"]) == (SUBSIDY, 240000, 240000)
    assert pool_state(client, operator, pool["id"]) == (SUBSIDY, 0)
    # The buyer reads it; a second reservation of the same order is refused.
    assert client.get(f"/api/v1/subsidies/reservations/{res['id']}", headers=buyer.headers).status_code == 200
    r = reserve(client, buyer, order["id"])
    assert r.status_code == 409 and r.json["code"] == "already_reserved"


def test_buyer_and_operator_may_reserve_strangers_may_not(client, session, buyer, retailer, operator, listing, pool):
    order = place(client, buyer, listing)
    other_retailer, stranger = make_user(session, Role.RETAILER), make_user(session, Role.CONSUMER)
    for actor in (other_retailer, stranger):
        r = reserve(client, actor, order["id"])
        assert r.status_code == 404 and r.json["code"] == "not_found"
    assert reserve(client, stranger, uuid.uuid4()).status_code == 404
    assert client.post("/api/v1/subsidies/reservations", json={"order_id": order["id"]}).status_code == 401
    r = reserve(client, buyer, order["id"])
    assert r.status_code == 201 and r.json["total_fen"] == SUBSIDY
    second = place(client, make_user(session, Role.CONSUMER, verified_id=resident_id()),
                   publish(session, retailer, operator, fridge_payload(price_fen=300000)))
    assert reserve(client, operator, second["id"]).status_code == 201


def test_not_a_retailers_listing_is_422_and_unverified_buyer_is_422(client, session, buyer, operator, pool):
    seller = make_user(session, Role.CONSUMER)
    order = place(client, buyer, publish(session, seller, operator, fridge_payload(price_fen=300000)))
    for actor in (buyer, seller, operator):
        r = reserve(client, actor, order["id"])
        assert r.status_code == 422 and "order_id" in r.json["errors"], r.json
    assert reserve(client, make_user(session, Role.CONSUMER), order["id"]).status_code == 404  # a stranger learns nothing
    retailer = make_user(session, Role.RETAILER)
    unverified = make_user(session, Role.CONSUMER)
    order = place(client, unverified, publish(session, retailer, operator, fridge_payload(price_fen=300000)))
    r = reserve(client, retailer, order["id"])
    assert r.status_code == 422 and "buyer" in r.json["errors"]


def test_bad_bodies(client, retailer, buyer, listing):
    order = place(client, buyer, listing)
    for body, field in [({"order_id": order["id"], "quote_request": {"region": "1100"}}, "quote_request.region"),
                        ({"sale_id": str(uuid.uuid4()), "quote_request": QUOTE}, "quote_request"),
                        ({"order_id": order["id"], "sale_id": str(uuid.uuid4())}, "_schema"),
                        ({"order_id": "not-a-uuid"}, "order_id")]:
        r = client.post("/api/v1/subsidies/reservations", json=body, headers=retailer.headers)
        assert r.status_code == 422 and field in r.json["errors"], (body, r.json)
    r = reserve(client, retailer, order["id"], quote={**QUOTE, "purchase": {"bare_price_fen": 300001}})
    assert r.status_code == 422 and "purchase.bare_price_fen" in r.json["errors"], r.json


def test_a_paid_order_is_refused_and_nothing_is_held(client, buyer, retailer, operator, listing, pool):
    order = place(client, buyer, listing)
    assert client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers).status_code == 200
    r = reserve(client, retailer, order["id"])
    assert r.status_code == 409 and r.json["code"] == "order_not_awaiting_payment"
    assert r.json["order_status"] == "handed_over"
    assert pool_state(client, operator, pool["id"]) == (0, 0)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json["subsidy_fen"] == 0


def test_the_reservation_follows_the_order_then_the_retailer_may_claw_it_back(client, buyer, retailer, operator,
                                                                              listing, pool):
    order = place(client, buyer, listing)
    rid = reserve(client, retailer, order["id"]).json["id"]
    # Not redeemed before the money is captured.
    r = act(client, retailer, rid, "redeem")
    assert r.status_code == 409 and r.json["code"] == "order_not_captured"
    assert act(client, buyer, rid, "redeem").status_code == 404      # the buyer may only release it
    # Cash handed over at the subsidised price: paid, it is no longer released (cancel the order).
    r = client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers)
    assert r.json["payment"]["authorised_fen"] == 240000
    for actor in (retailer, buyer):
        r = act(client, actor, rid, "release", reason="changed my mind")
        assert r.status_code == 409 and r.json["code"] == "order_applies_subsidy", r.json
        assert r.json["order_status"] == "handed_over"
    # Accepted: the capture redeems it.
    r = client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers)
    assert r.json["status"] == "completed" and r.json["payment"]["captured_fen"] == 240000
    assert client.get(f"/api/v1/subsidies/reservations/{rid}", headers=buyer.headers).json["status"] == "redeemed"
    assert pool_state(client, operator, pool["id"]) == (0, SUBSIDY)
    r = act(client, retailer, rid, "redeem")
    assert r.status_code == 409 and r.json["code"] == "invalid_state" and r.json["allowed"] == ["clawback"]
    # The retailer gives the subsidy up (e.g. no recycling proof): money back to the pool, price unchanged.
    r = act(client, retailer, rid, "clawback", reason="old fridge never handed in")
    assert r.status_code == 200 and r.json["status"] == "clawed_back" and r.json["clawback_reason"]
    assert pool_state(client, operator, pool["id"]) == (0, 0)
    got = client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json
    assert (got["status"], got["subsidy_fen"], got["payable_fen"]) == ("completed", SUBSIDY, 240000)
    # A full refund afterwards finds nothing left to claw back.
    r = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"reason": "退货"}, headers=retailer.headers)
    assert r.status_code == 200 and r.json["status"] == "refunded"


def test_cancelling_the_order_releases_it_and_frees_the_quota(client, session, buyer, retailer, operator, pool):
    first = place(client, buyer, publish(session, retailer, operator, fridge_payload(price_fen=300000)))
    rid = reserve(client, retailer, first["id"]).json["id"]
    r = client.post(f"/api/v1/orders/{first['id']}/cancel", json={"reason": "买了别的"}, headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert client.get(f"/api/v1/subsidies/reservations/{rid}", headers=retailer.headers).json["status"] == "released"
    assert pool_state(client, operator, pool["id"]) == (0, 0)
    r = act(client, retailer, rid, "release")
    assert r.status_code == 409 and r.json["code"] == "invalid_state"
    # The fridge slot of 2025 is free again: another order of the same buyer takes it.
    second = place(client, buyer, publish(session, retailer, operator, fridge_payload(price_fen=300000)))
    assert reserve(client, retailer, second["id"]).status_code == 201


def test_a_full_refund_claws_it_back(client, buyer, retailer, operator, listing, pool):
    order = place(client, buyer, listing)
    rid = reserve(client, retailer, order["id"]).json["id"]
    client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers)
    client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers)
    r = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"reason": "退货"}, headers=retailer.headers)
    assert r.status_code == 200 and r.json["status"] == "refunded" and r.json["refunded_fen"] == 240000
    res = client.get(f"/api/v1/subsidies/reservations/{rid}", headers=retailer.headers).json
    assert res["status"] == "clawed_back" and res["clawback_reason"].endswith("退货")
    assert pool_state(client, operator, pool["id"]) == (0, 0)


def test_card_order_changes_the_intent_amount_before_the_buyer_pays(stripe_client, stripe_app, use_gateway, session,
                                                                    buyer, retailer, operator, listing, pool):
    gw = Recording(stripe_gateway())
    use_gateway(gw)
    order = place(stripe_client, buyer, listing)
    assert order["payment_method"] == "card" and order["payment"]["amount_fen"] == 300000
    r = reserve(stripe_client, retailer, order["id"])
    assert r.status_code == 201, r.json
    [(_, args, kw)] = [c for c in gw.calls if c[0] == "update_amount"]
    assert args[1] == 240000 and kw["idempotency_key"].startswith(f"huanxin-order-{order['id']}-amount-240000")
    got = stripe_client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json
    assert (got["payable_fen"], got["payment"]["amount_fen"]) == (240000, 240000)


def test_a_provider_outage_delays_the_new_amount_never_the_subsidy(stripe_client, stripe_app, use_gateway, buyer,
                                                                    retailer, operator, listing, pool, client, freeze):
    fc = freeze(datetime.now(timezone.utc))
    gw = Recording(stripe_gateway(), fail={"update_amount"})
    use_gateway(gw)
    order = place(stripe_client, buyer, listing)
    r = reserve(stripe_client, retailer, order["id"])
    # The change is recorded with the reservation and sent after commit: Stripe being down holds
    # up neither, and the payment keeps showing the amount Stripe still has.
    assert r.status_code == 201, r.json
    assert pool_state(client, operator, pool["id"]) == (SUBSIDY, 0)
    assert order_money(stripe_client, buyer, order["id"]) == (SUBSIDY, 240000, 300000)
    gw.fail = set()
    fc.advance(timedelta(minutes=5))
    assert job_runner.run_job(stripe_app, job_runner.scheduled(payment_relay.reconcile)) == 1
    assert order_money(stripe_client, buyer, order["id"]) == (SUBSIDY, 240000, 240000)
    keys = [kw["idempotency_key"] for name, _, kw in gw.calls if name == "update_amount"]
    assert len(keys) == 2 and keys[0] == keys[1]     # the retry repeats the first key


# --- releasing before payment -----------------------------------------------------------------

def order_money(client, buyer, order_id):
    got = client.get(f"/api/v1/orders/{order_id}", headers=buyer.headers).json
    return got["subsidy_fen"], got["payable_fen"], got["payment"]["amount_fen"]


def test_releasing_before_payment_puts_the_full_price_back(client, session, buyer, retailer, operator, listing, pool):
    order = place(client, buyer, listing)
    rid = reserve(client, retailer, order["id"]).json["id"]
    assert order_money(client, buyer, order["id"]) == (SUBSIDY, 240000, 240000)
    stranger, other_retailer = make_user(session, Role.CONSUMER), make_user(session, Role.RETAILER)
    for actor in (stranger, other_retailer):
        assert act(client, actor, rid, "release", reason="x").status_code == 404
    r = act(client, retailer, rid, "release", reason="the buyer keeps the old fridge")
    assert r.status_code == 200 and r.json["status"] == "released" and r.json["released_at"], r.json
    assert order_money(client, buyer, order["id"]) == (0, 300000, 300000)
    assert pool_state(client, operator, pool["id"]) == (0, 0)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json["status"] == "payment_pending"
    # Nothing was used up: the buyer reserves again and, having changed their mind, releases it themself.
    r = reserve(client, buyer, order["id"])
    assert r.status_code == 201, r.json
    assert order_money(client, buyer, order["id"]) == (SUBSIDY, 240000, 240000)
    r = act(client, buyer, r.json["id"], "release", reason="下单后再说")
    assert r.status_code == 200 and r.json["status"] == "released"
    assert order_money(client, buyer, order["id"]) == (0, 300000, 300000)
    # The seller then takes the full price in cash.
    r = client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers)
    assert r.status_code == 200 and r.json["payment"]["authorised_fen"] == 300000


def test_a_subsidy_taken_at_placement_is_released_the_same_way(client, session, buyer, retailer, operator, listing,
                                                                pool):
    r = client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id), "subsidy": {**QUOTE, "trade_in": {"kind": "refrigerator", "handed_in": True}}})
    assert r.status_code == 201 and r.json["subsidy_fen"] == SUBSIDY, r.json
    order = r.json
    rid = str(reservations.for_order(session, uuid.UUID(order["id"])).id)
    session.rollback()
    r = act(client, operator, rid, "release", reason="operator: wrong programme")
    assert r.status_code == 200 and r.json["status"] == "released"
    assert order_money(client, buyer, order["id"]) == (0, 300000, 300000)
    assert pool_state(client, operator, pool["id"]) == (0, 0)


def test_card_release_raises_the_intent_after_commit_and_an_outage_only_delays_it(stripe_client, stripe_app,
                                                                                   use_gateway, client, buyer,
                                                                                   retailer, operator, listing, pool,
                                                                                   freeze):
    fc = freeze(datetime.now(timezone.utc))
    gw = Recording(stripe_gateway())
    use_gateway(gw)
    order = place(stripe_client, buyer, listing)
    rid = reserve(stripe_client, retailer, order["id"]).json["id"]
    assert order_money(stripe_client, buyer, order["id"]) == (SUBSIDY, 240000, 240000)
    # Stripe down: the release stands; the intent still asks the subsidised amount until it answers.
    gw.fail = {"update_amount"}
    r = act(stripe_client, buyer, rid, "release", reason="no old fridge after all")
    assert r.status_code == 200 and r.json["status"] == "released", r.json
    assert pool_state(client, operator, pool["id"]) == (0, 0)
    assert order_money(stripe_client, buyer, order["id"]) == (0, 300000, 240000)
    gw.fail = set()
    fc.advance(timedelta(minutes=5))
    assert job_runner.run_job(stripe_app, job_runner.scheduled(payment_relay.reconcile)) == 1
    amounts = [(args[1], kw["idempotency_key"]) for name, args, kw in gw.calls if name == "update_amount"]
    assert [a for a, _ in amounts] == [240000, 300000, 300000]    # reserve, failed, sent again
    assert amounts[-1][1].startswith(f"huanxin-order-{order['id']}-amount-300000") and amounts[-1][1] == amounts[-2][1]
    assert order_money(stripe_client, buyer, order["id"]) == (0, 300000, 300000)


@dataclass
class AlreadyConfirmed(Recording):
    """Stripe after the buyer confirmed the intent: a new amount is refused for good."""

    def __getattr__(self, name):
        if name != "update_amount":
            return super().__getattr__(name)

        def refuse(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            raise GatewayError("This PaymentIntent's amount could not be updated", code="payment_intent_unexpected_state")
        return refuse


def test_a_buyer_who_confirmed_the_old_amount_first_is_captured_only_the_subsidised_price(
        stripe_client, stripe_app, use_gateway, session, buyer, retailer, operator, listing, pool):
    gw = AlreadyConfirmed(stripe_gateway())
    use_gateway(gw)
    order = place(stripe_client, buyer, listing)
    assert reserve(stripe_client, retailer, order["id"]).status_code == 201
    # Stripe refused the new amount for good: no retries, an operator sees it, the payment shows
    # the amount Stripe holds.
    [op] = [o for o in session.scalars(select(PaymentOperation)) if o.kind == "amount"]
    assert (op.state.value, op.attempts) == ("failed", 1)
    assert order_money(stripe_client, buyer, order["id"]) == (SUBSIDY, 240000, 300000)
    pay = session.scalar(select(Payment).where(Payment.order_id == uuid.UUID(order["id"])))
    session.rollback()
    r = post_event(stripe_client, event("payment_intent.amount_capturable_updated",
                                        intent_obj(pay, amount=300000, amount_capturable=300000,
                                                   status="requires_capture")))
    assert r.status_code == 200 and r.json["outcome"] == "processed", r.json
    assert stripe_client.post(f"/api/v1/orders/{order['id']}/handover", headers=retailer.headers).status_code == 200
    r = stripe_client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    # The rest of the hold goes back to the buyer: the subsidy is theirs.
    [(_, args, _)] = [c for c in gw.calls if c[0] == "capture"]
    assert args[1] == 240000
    assert r.json["payment"]["captured_fen"] == 240000
