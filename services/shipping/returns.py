"""A buyer's return after a dispute decided as `return`: the parcel goes back to the seller with
the same carriers and waybill checks as an outbound one, the carrier's events move it (the same
signed webhook, replay- and order-safe in tracking.py), and its delivery to the seller refunds the
buyer in full through the dispute refund path. A return not recorded within the window of the
decision lapses (`lapse`, run by the job `lapse_returns`): the buyer keeps the item and the seller
is paid. Every step locks the order first, so a parcel recorded in time and a lapse exclude each
other. Shipping sits above orders and disputes (.importlinter): it calls their interfaces, never
the reverse."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock, deps
from services.accounts.models import User
from services.disputes import interface as disputes
from services.disputes.models import Outcome
from services.errors import Conflict, Forbidden
from services.notifications.interface import money, notify
from services.orders import interface as orders
from services.orders.interface import side
from services.orders.models import Order, OrderStatus as S
from services.payments.interface import PaymentGateway
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
    if decided is None or _return_parcel(session, order.id) is not None:
        return None
    return orders.return_send_deadline(decided.resolved_at, window)


def ship_return(session: Session, actor: User, order_id, *, carrier: str, tracking_number: str,
                shipping_fee_fen: int | None = None, fee_payer: str | None = None) -> Shipment:
    """The buyer records the return parcel of an order whose dispute was decided as `return`.
    Promises: carrier and waybill checked as for any shipment (422 field by field); only the
    buyer (403); only after a `return` decision on a still-disputed order (409
    `return_not_agreed`) and within RETURN_WINDOW_DAYS of that decision (409
    `return_window_closed` with `return_deadline`, also once the return lapsed and the seller
    was paid); one return parcel per order and one use of a waybill number (409
    `shipment_exists`); the seller is notified. The refund waits for the carrier's delivery."""
    check_parcel(carrier, tracking_number, shipping_fee_fen, "return shipment")
    shipping_fee_fen = shipping_fee_fen or 0
    fee_payer = fee_payer or FeePayer.SELLER.value   # the seller lost the dispute
    order = orders.lock(session, order_id)
    if side(actor, order) != "buyer":
        raise Forbidden("only the buyer sends a return", code="not_your_step")
    decided = disputes.return_decided(session, order.id, lapsed=True)
    if decided is None or (decided.outcome == Outcome.RETURN and order.status != S.DISPUTED):
        raise Conflict("a return is sent only after a dispute was decided as 'return'", code="return_not_agreed")
    deadline = orders.return_send_deadline(decided.resolved_at, deps.of(session).buying.return_window)
    now = clock.now(session)
    if decided.outcome == Outcome.RETURN_LAPSED:   # the seller was paid: closed whatever the clock says now
        now = max(now, deadline + timedelta(microseconds=1))
    orders.check_return_window(deadline, now, "the return is sent")
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


def lapse(session: Session, order_id, *, gateway: PaymentGateway, ahead: timedelta = timedelta(0)) -> bool:
    """An agreed return the buyer did not record within RETURN_WINDOW_DAYS of the decision lapses:
    the buyer keeps the item, the held money goes to the seller as an operator's `release` would
    (disputes `release_lapsed`: the order completes as `return_lapsed`, at once or when a card
    capture is confirmed), the dispute shows `return_lapsed` with refund_fen 0, and both sides are
    told (`return_lapsed`). Locks the order first; False, changing nothing, unless it is still
    `disputed` with a `return` decision, no return parcel and the send deadline passed: a second
    run, a return recorded in time or a lapse already made are never paid twice. `ahead` judges
    the deadline as if that much more time had passed (`flask shipping lapse-returns` in the demo)."""
    order = orders.lock(session, order_id)
    if order.status != S.DISPUTED:
        return False
    decided = disputes.return_decided(session, order.id)
    if decided is None or _return_parcel(session, order.id) is not None:
        return False
    deadline = orders.return_send_deadline(decided.resolved_at, deps.of(session).buying.return_window)
    if clock.now(session) + ahead <= deadline:
        return False
    held = decided.refund_fen   # what the `return` decision owed the buyer: all that is held
    disputes.release_lapsed(session, order, decided, gateway=gateway,
                            note=f"the return lapsed: the item was not sent back by "
                                 f"{deadline.astimezone(timezone.utc).isoformat()}; the seller is paid")
    params = {"title": order.listing.title, "deadline": clock.local_text(deadline), "amount": money(held)}
    for who in (order.buyer_id, order.seller_id):
        notify(session, who, "return_lapsed", event_key=f"dispute:{decided.id}:lapsed", params=params,
               ref_type="order", ref_id=order.id)
    return True


def _return_parcel(session: Session, order_id):
    return session.scalar(select(Shipment.id).where(Shipment.order_id == order_id,
                                                    Shipment.direction == Direction.RETURN))
