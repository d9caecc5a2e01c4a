"""Orders: buy a listing, hand over, accept (capture), cancel, refund."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.api.orders import schemas as s
from marketplace.api.payments.wiring import gateway, settings
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.accounts.models import User
from services.orders import service, states
from services.orders.models import Order, OrderStatus
from services.payments.gateway import CURRENCY
from services.payments.models import Payment
from services.payments.service import CREDIT, intent_pending
from services.shipping import returns as shipping_returns

blp = Blueprint("orders", __name__, description="Orders: money held until the buyer accepts the item")


def _method(order: Order, pay: Payment | None) -> str:
    # An order that store credit pays in full involves no card and no cash.
    return "store_credit" if pay is not None and pay.provider == CREDIT else order.payment_method.value


def payment_view(pay: Payment | None, order: Order, viewer: User) -> dict | None:
    if pay is None:
        return None
    return {"provider": pay.provider, "method": _method(order, pay), "status": pay.status.value,
            "currency": CURRENCY.upper(), "amount_fen": pay.amount_fen, "authorised_fen": pay.authorised_fen,
            "captured_fen": pay.captured_fen, "refunded_fen": pay.refunded_fen, "last_error": pay.last_error,
            "capture_method": pay.capture_method,
            # Only the buyer confirms the card payment; nobody else ever sees the secret.
            "client_secret": pay.client_secret if viewer.id == order.buyer_id else None}


# The provider's next action kept for each method, beside the client secret (the card's own).
_WALLET_ACTIONS = {"alipay": "alipay_handle_redirect", "wechat_pay": "wechat_pay_display_qr_code"}
_NONE = {"type": "none"}


def next_action(pay: Payment | None, order: Order, viewer: User) -> dict | None:
    """What the buyer must do to pay; None for anyone else, who never sees the secret or the QR."""
    if pay is None or viewer.id != order.buyer_id:
        return None
    if order.status != OrderStatus.PAYMENT_PENDING or pay.status.value != "requires_payment":
        return _NONE
    method = _method(order, pay)
    if method == "cash":
        return {"type": "pay_on_handover"}
    if pay.provider == CREDIT:
        return _NONE
    if intent_pending(pay):
        return {"type": "wait"}
    if method in _WALLET_ACTIONS:
        kind = _WALLET_ACTIONS[method]
        given = pay.next_action if (pay.next_action or {}).get("type") == kind else {}
        return {**given, "type": kind, "client_secret": pay.client_secret}
    return {"type": "confirm_card", "client_secret": pay.client_secret}


_LOOK_UP = object()


def present(session: Session, order: Order, viewer: User, pay: Payment | None = _LOOK_UP) -> dict:
    if pay is _LOOK_UP:
        pay = session.scalar(select(Payment).where(Payment.order_id == order.id))
    return {**{c: getattr(order, c) for c in (
        "id", "listing_id", "buyer_id", "seller_id", "seller_org_id", "offer_id", "price_fen", "subsidy_fen",
        "store_credit_fen", "platform_credit_fen",
        "payable_fen", "refunded_fen",
        "reserved_until", "paid_at", "handed_over_at", "accept_by", "accepted_at", "completed_at",
        "cancelled_at", "cancel_reason", "attention", "created_at", "updated_at")},
        "listing_title": order.listing.title, "currency": CURRENCY.upper(), "platform_fee_bps": order.fee_bps,
        "payment_method": _method(order, pay), "status": order.status.value,
        "fulfilment": order.fulfilment.value, "shipping_fee_fen": order.shipping_fee_fen,
        "shipping_paid_by": order.shipping_paid_by.value,
        "allowed_next": sorted(t.value for t in states.allowed(order.status)),
        "return_deadline": shipping_returns.return_deadline(session, order),
        "payment": payment_view(pay, order, viewer), "next_action": next_action(pay, order, viewer)}


def _order_now(status: int, stored: dict):
    """A replayed placement answers the order as it is now: the intent created after the first
    answer was stored changes `next_action` (and the status moves on with payment)."""
    if status != 201 or "id" not in stored:
        return None
    order = service.get(db.session, stored["id"], require_user())
    return jsonify(s.OrderSchema().dump(present(db.session, order, require_user()))), 201, {
        "Location": f"/api/v1/orders/{order.id}"}


@blp.route("/orders", methods=["POST"])
@idempotent(current=_order_now)
@blp.arguments(s.OrderCreateSchema)
@blp.response(201, s.OrderSchema)
def create_order(data):
    """Buy a published listing at its price: the listing is reserved for you (409 if someone was
    faster) and the payment starts; `next_action` says what to do within the reservation time:
    card, confirm `client_secret` with Stripe.js; Alipay, open the redirect `url`; WeChat Pay,
    show the QR `data`; cash, pay the seller at handover. `fulfilment: shipped` (across cities)
    collects the money at once and holds it until you accept the parcel. A retry with the same
    `Idempotency-Key` answers the same order as it is now (its current `next_action` and
    status; `Idempotent-Replayed: true`); the key with another body is a 422."""
    user = require_user()
    with unit_of_work() as session:
        order = service.place(session, user, data["listing_id"], gateway=gateway(), settings=settings(),
                              subsidy_request=data["subsidy"], store_credit_fen=data["store_credit_fen"],
                              store_credit_issuer=data["store_credit_issuer"],
                              payment_method=data["payment_method"], fulfilment=data["fulfilment"],
                              return_url=data["return_url"])
    return present(db.session, order, user), 201, {"Location": f"/api/v1/orders/{order.id}"}


@blp.route("/orders", methods=["GET"])
@blp.arguments(s.OrderListArgs, location="query")
@blp.response(200, page_of(s.OrderSchema))
def list_orders(args):
    """Your orders as buyer and seller (`role` narrows it); operators see all orders."""
    user = require_user()
    rows, nxt = service.list_for(db.session, user, role=args["role"],
                                 status=OrderStatus(args["status"]) if args["status"] else None,
                                 cursor=args["cursor"], limit=args["limit"])
    # One query for the page's payments (one per order before: N+1 on the busiest list).
    pays = {p.order_id: p for p in db.session.scalars(
        select(Payment).where(Payment.order_id.in_([o.id for o in rows])))} if rows else {}
    return page([present(db.session, o, user, pays.get(o.id)) for o in rows], nxt)


@blp.route("/orders/<uuid:order_id>", methods=["GET"])
@blp.response(200, s.OrderSchema)
def get_order(order_id):
    """One order, for its buyer, its seller and operators."""
    user = require_user()
    return present(db.session, service.get(db.session, order_id, user), user)


def _act(order_id, fn, **kw):
    user = require_user()
    with unit_of_work() as session:
        order = fn(session, user, order_id, **kw)
    return present(db.session, order, user)


@blp.route("/orders/<uuid:order_id>/cancel", methods=["POST"])
@blp.arguments(s.CancelSchema)
@blp.response(200, s.OrderSchema)
def cancel_order(data, order_id):
    """Cancel before the money is captured (buyer, seller or operator): the card hold is released
    and the listing goes back on sale. After capture, ask for a refund instead."""
    return _act(order_id, service.cancel, gateway=gateway(), reason=data["reason"])


@blp.route("/orders/<uuid:order_id>/handover", methods=["POST"])
@blp.response(200, s.OrderSchema)
def hand_over(order_id):
    """Seller: the item was handed over. The buyer's acceptance window (AUTO_CAPTURE_DAYS) starts."""
    return _act(order_id, service.hand_over, settings=settings())


@blp.route("/orders/<uuid:order_id>/cash-received", methods=["POST"])
@blp.response(200, s.OrderSchema)
def cash_received(order_id):
    """Seller, cash orders: the cash was received and the item handed over."""
    return _act(order_id, service.confirm_cash, settings=settings())


@blp.route("/orders/<uuid:order_id>/accept", methods=["POST"])
@blp.response(200, s.OrderSchema)
def accept(order_id):
    """Buyer: the item is as described. The held money is captured and the order completes (if
    the capture fails it stays `accepted` and is retried; see `attention`)."""
    return _act(order_id, service.accept, gateway=gateway())


@blp.route("/orders/<uuid:order_id>/refunds", methods=["POST"])
@blp.arguments(s.RefundSchema)
@blp.response(200, s.OrderSchema)
def refund(data, order_id):
    """Seller or operator: refund a completed order in full (omit `amount_fen`) or in part, with a
    reason. While a dispute is open, refunds go through the dispute."""
    return _act(order_id, service.refund, gateway=gateway(), amount_fen=data["amount_fen"], reason=data["reason"])
