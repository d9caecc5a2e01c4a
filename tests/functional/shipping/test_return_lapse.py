"""An agreed return the buyer never sends lapses (services/shipping/returns.py `lapse`, the job
`lapse_returns`), through HTTP and the job runner: once RETURN_WINDOW_DAYS passed since the
operator's `return` decision with no return parcel recorded, the buyer keeps the item and the
seller is paid as an operator's `release` would (the held money captured: a card hold through a
payment operation, cash and escrowed money at once), the dispute shows `return_lapsed` with
refund 0, both sides are told, and the order completes with no return deadline left. Before the
deadline, with a parcel recorded in time, on a second run or against a late POST /returns
racing it, nothing is paid twice."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import jobs as job_runner
from services.ledger import service as ledger
from services.orders.models import Order, OrderStatus as S
from services.payments.models import PaymentOperation, Payout
from services.shipping import jobs as shipping_jobs
from tests.factories.orders import order_in, publish, stripe_gateway
from tests.factories.races import at_once

WINDOW = timedelta(days=7)   # RETURN_WINDOW_DAYS' default
BACK = "YT1234567890123"

# How the buyer paid: (app fixture, gateway, fulfilment). A meet-up card order holds the money
# on the card (captured by a payment operation after commit); a shipped card order collected it
# at payment (escrow); a meet-up order without a gateway is paid in cash; "store_credit" is paid
# in full with platform store credit, over HTTP.
PAYMENTS = {
    "cash": ("ship_app", None, "meetup"),
    "card_hold": ("ship_stripe_app", stripe_gateway, "meetup"),
    "card_escrow": ("ship_stripe_app", stripe_gateway, "shipped"),
    "store_credit": ("ship_app", None, "meetup"),
}


@pytest.fixture(params=sorted(PAYMENTS))
def paid(request, session, buyer, seller, operator, frozen):
    """(app, client, order) of a disputed order paid the param's way, its dispute decided `return`
    over HTTP at T0."""
    app_name, gateway, fulfilment = PAYMENTS[request.param]
    app = request.getfixturevalue(app_name)
    client = app.test_client()
    if request.param == "store_credit":
        order = _paid_in_store_credit(client, session, buyer, seller, operator)
    else:
        order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator,
                         gateway=gateway() if gateway else None, fulfilment=fulfilment)
    _decide(client, order, operator)
    return app, client, order


def _paid_in_store_credit(client, session, buyer, seller, operator):
    """A meet-up order paid in full with platform store credit (held at once), handed over and
    disputed over HTTP."""
    listing = publish(session, seller, operator)
    ledger.issue_store_credit(session, buyer.id, None, listing.price_fen, ref_type="tradein", ref_id=uuid.uuid4(),
                              idempotency_key=f"test-{uuid.uuid4()}")
    session.commit()
    r = client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id), "store_credit_fen": listing.price_fen, "store_credit_issuer": "platform"})
    assert r.status_code == 201 and r.json["status"] == "paid_held", r.json
    order_id = r.json["id"]
    assert client.post(f"/api/v1/orders/{order_id}/handover", headers=seller.headers).status_code == 200
    r = client.post(f"/api/v1/orders/{order_id}/disputes", headers=buyer.headers, json={"reason": "not_as_described"})
    assert r.status_code == 201, r.json
    return session.get(Order, uuid.UUID(order_id))


def _dispute(client, order, viewer):
    items = client.get("/api/v1/disputes", headers=viewer.headers).json["items"]
    return next(d for d in items if d["order_id"] == str(order.id))


def _decide(client, order, operator):
    r = client.post(f"/api/v1/disputes/{_dispute(client, order, operator)['id']}/resolve", headers=operator.headers,
                    json={"outcome": "return", "note": "退货退款"})
    assert r.status_code == 200 and r.json["outcome"] == "return", r.json


def _lapse(app) -> int:
    return job_runner.run_job(app, job_runner.scheduled(shipping_jobs.lapse_returns))


def _order(client, order, who):
    r = client.get(f"/api/v1/orders/{order.id}", headers=who.headers)
    assert r.status_code == 200, r.json
    return r.json


def _kinds(client, who):
    return [n["kind"] for n in client.get("/api/v1/notifications?limit=100", headers=who.headers).json["items"]]


def _send_back(client, order, buyer):
    return client.post(f"/api/v1/orders/{order.id}/returns", headers=buyer.headers,
                       json={"carrier": "yto", "tracking_number": BACK})


def _payments_made(session, order):
    """(captures, payouts) recorded for the order: the seller is paid exactly once or not at all."""
    session.expire_all()
    captures = session.scalar(select(func.count()).select_from(PaymentOperation).where(
        PaymentOperation.order_id == order.id, PaymentOperation.kind == "capture"))
    payouts = session.scalar(select(func.count()).select_from(Payout).where(Payout.order_id == order.id))
    return captures, payouts


def test_an_unsent_return_lapses_and_the_seller_is_paid(paid, session, buyer, seller, operator, frozen):
    app, client, order = paid
    deadline = frozen.now() + WINDOW
    frozen.advance(WINDOW + timedelta(seconds=1))
    assert _lapse(app) == 1
    body = _order(client, order, buyer)
    assert body["status"] == "completed" and body["completed_at"] is not None, body
    assert body["return_deadline"] is None and body["refunded_fen"] == 0
    assert body["payment"]["status"] == "captured" and body["payment"]["captured_fen"] == order.payable_fen
    # The seller's payout (the sale less the buyer-paid carrier share; platform store credit is paid
    # by the platform); cash is already in the seller's hands.
    payouts = client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"]
    in_cash = order.payment_method.value == "cash" and not order.platform_credit_fen
    owed = [] if in_cash else [(str(order.id), order.price_fen)]
    assert [(p["order_id"], p["gross_fen"]) for p in payouts] == owed
    dispute = _dispute(client, order, buyer)
    assert (dispute["status"], dispute["outcome"], dispute["refund_fen"]) == ("resolved", "return_lapsed", 0)
    assert "lapsed" in dispute["resolution_note"] and deadline.isoformat() in dispute["resolution_note"]
    for who in (buyer, seller):
        assert _kinds(client, who).count("return_lapsed") == 1
    told = client.get("/api/v1/notifications?lang=en", headers=seller.headers).json["items"][0]
    assert told["kind"] == "return_lapsed" and "the buyer keeps the item" in told["body"]
    # The order's history: completed by the lapse; the dispute's audit keeps the operator's decision.
    history = client.get(f"/api/v1/audit-log?target_id={order.id}", headers=operator.headers).json["items"]
    assert "order.return_lapsed" in [e["action"] for e in history]
    trail = client.get(f"/api/v1/audit-log?target_id={dispute['id']}", headers=operator.headers).json["items"]
    lapsed = next(e for e in trail if e["action"] == "dispute.return_lapsed")
    assert lapsed["before"]["outcome"] == "return" and lapsed["before"]["resolution_note"] == "退货退款"
    # A second run finds nothing; a late parcel is refused with the deadline it missed.
    made = _payments_made(session, order)
    assert _lapse(app) == 0
    assert _payments_made(session, order) == made and made[1] == len(owed)
    r = _send_back(client, order, buyer)
    assert r.status_code == 409 and r.json["code"] == "return_window_closed", r.json
    assert r.json["return_deadline"] == deadline.isoformat()


def test_before_the_deadline_the_job_changes_nothing(ship_app, ship_client, session, buyer, seller, operator, frozen):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)
    _decide(ship_client, order, operator)
    frozen.advance(WINDOW)   # the last moment still belongs to the buyer
    assert _lapse(ship_app) == 0
    body = _order(ship_client, order, buyer)
    assert body["status"] == "disputed" and body["return_deadline"] is not None
    assert _dispute(ship_client, order, buyer)["outcome"] == "return"
    assert "return_lapsed" not in _kinds(ship_client, seller)
    assert _send_back(ship_client, order, buyer).status_code == 201   # still in time


def test_a_return_recorded_in_time_never_lapses(ship_app, ship_client, session, buyer, seller, operator, frozen):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)
    _decide(ship_client, order, operator)
    frozen.advance(WINDOW - timedelta(hours=1))
    assert _send_back(ship_client, order, buyer).status_code == 201
    frozen.advance(timedelta(days=30))   # the parcel is slow: the refund still waits for its delivery
    assert _lapse(ship_app) == 0
    assert _order(ship_client, order, buyer)["status"] == "disputed"
    assert _dispute(ship_client, order, buyer)["outcome"] == "return"
    assert _payments_made(session, order) == (0, 0)


def test_a_lapse_racing_a_late_return_ends_in_one_outcome(ship_stripe_app, session, buyer, seller, operator, frozen):
    """The job and the buyer's late POST /returns at once (threads, PostgreSQL): the lapse is made
    once, the parcel refused, one capture and one payout."""
    client = ship_stripe_app.test_client()
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    _decide(client, order, operator)
    frozen.advance(WINDOW + timedelta(minutes=1))

    def job(go):
        go()
        return _lapse(ship_stripe_app)

    def late(go):
        own = ship_stripe_app.test_client()
        go()
        return _send_back(own, order, buyer)

    lapsed, lapsed_again, answer = at_once([job, job, late])
    assert sorted((lapsed, lapsed_again)) == [0, 1]
    assert answer.status_code == 409 and answer.json["code"] == "return_window_closed"
    assert _order(client, order, buyer)["status"] == "completed"
    assert _payments_made(session, order) == (1, 1)
    assert _kinds(client, seller).count("return_lapsed") == 1
