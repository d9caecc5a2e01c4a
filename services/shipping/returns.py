"""A buyer's return after a dispute decided as `return`: the parcel goes back to the seller with
the same carriers and waybill checks as an outbound one, the carrier's events move it (the same
signed webhook, replay- and order-safe in tracking.py), and its delivery to the seller refunds the
buyer in full through the dispute refund path. Shipping sits above orders and disputes
(.importlinter): it calls their interfaces, never the reverse."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock, deps
from services.accounts.models import User
from services.disputes import interface as disputes
from services.errors import Conflict, Forbidden
from services.notifications.interface import money, notify
from services.orders import interface as orders
from services.orders.interface import side
from services.orders.models import Order, OrderStatus as S
from services.shipping.service import check_parcel, parcel_params, record_parcel
from services.shipping.models import Direction, FeePayer, Shipment


def return_deadline(session: Session, order: Order) -> datetime | None:
    """When the buyer's next return step is due, for the order's JSON: asking for a return (a
    delivered shipped order, services/orders/returns.py), or sending the parcel of an agreed one;
    None when no return step is open (a meet-up order before any decision, not yet delivered,
    accepted, refunded, or the return already sent)."""
    window = deps.of(session).buying.return_window
    if order.status == S.HANDED_OVER:
        return orders.return_ask_deadline(order, window)
    if order.status != S.DISPUTED:
        return None
    decided = disputes.return_decided(session, order.id)
    if decided is None or session.scalar(select(Shipment.id).where(
            Shipment.order_id == order.id, Shipment.direction == Direction.RETURN)) is not None:
        return None
    return orders.return_send_deadline(decided.resolved_at, window)


def ship_return(session: Session, actor: User, order_id, *, carrier: str, tracking_number: str,
                shipping_fee_fen: int | None = None, fee_payer: str | None = None) -> Shipment:
    """The buyer records the return parcel of an order whose dispute was decided as `return`.
    Promises: carrier and waybill checked as for any shipment (422 field by field); only the
    buyer (403); only after a `return` decision on a still-disputed order (409
    `return_not_agreed`) and within RETURN_WINDOW_DAYS of that decision (409
    `return_window_closed` with `return_deadline`); one return parcel per order and one use of a waybill number (409
    `shipment_exists`); the seller is notified. The refund waits for the carrier's delivery."""
    check_parcel(carrier, tracking_number, shipping_fee_fen, "return shipment")
    shipping_fee_fen = shipping_fee_fen or 0
    fee_payer = fee_payer or FeePayer.SELLER.value   # the seller lost the dispute
    order = orders.lock(session, order_id)
    if side(actor, order) != "buyer":
        raise Forbidden("only the buyer sends a return", code="not_your_step")
    decided = disputes.return_decided(session, order.id) if order.status == S.DISPUTED else None
    if decided is None:
        raise Conflict("a return is sent only after a dispute was decided as 'return'", code="return_not_agreed")
    orders.check_return_window(orders.return_send_deadline(decided.resolved_at, deps.of(session).buying.return_window),
                               clock.now(session), "the return is sent")
    shipment = record_parcel(session, actor, order, Direction.RETURN, carrier=carrier,
                             tracking_number=tracking_number, shipping_fee_fen=shipping_fee_fen, fee_payer=fee_payer,
                             taken="the return already shipped")
    notify(session, order.seller_id, "return_shipped", event_key=f"shipment:{shipment.id}",
           params=parcel_params(order, shipment), ref_type="order", ref_id=order.id)
    return shipment


def delivered(session: Session, shipment: Shipment) -> None:
    """The return parcel reached the seller: refund the buyer in full (once: `refund_returned`
    changes nothing for an order already refunded) and tell both sides."""
    order = orders.lock(session, shipment.order_id)
    if not disputes.refund_returned(session, order, gateway=deps.of(session).gateway):
        return
    dispute = disputes.return_decided(session, order.id)
    params = {"title": order.listing.title, "amount": money(dispute.refund_fen)}
    for who in (order.buyer_id, order.seller_id):
        notify(session, who, "return_delivered", event_key=f"shipment:{shipment.id}", params=params,
               ref_type="order", ref_id=order.id)
