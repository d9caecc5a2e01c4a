"""Recording a shipment and the seller's shipping deadline. Shipping sits above orders
(.importlinter): it calls the order service's own moves and cancel path, never the reverse."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, deps
from services.accounts.models import User
from services.credit.interface import record_event_once
from services.errors import Conflict, Forbidden, ValidationFailed
from services.notifications.interface import notify
from services.orders import interface as orders
from services.orders.interface import side
from services.orders.models import Fulfilment, Order, OrderStatus as S
from services.payments.interface import PaymentGateway
from services.shipping import carriers
from services.shipping.models import Direction, FeePayer, Shipment, TrackingStatus


def ship_by(session: Session, order: Order) -> datetime | None:
    """When the seller must have shipped a paid order (None before payment, and for a meet-up order,
    which is never shipped)."""
    if order.fulfilment != Fulfilment.SHIPPED or order.paid_at is None:
        return None
    return order.paid_at + deps.of(session).shipping.deadline


def shipments_of(session: Session, viewer: User, order_id) -> tuple[Order, list[Shipment]]:
    """The order (its buyer, seller or an operator only: 404 otherwise) and its shipments."""
    order = orders.get(session, order_id, viewer)
    rows = list(session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.created_at)))
    return order, rows


def ship(session: Session, actor: User, order_id, *, carrier: str, tracking_number: str,
         shipping_fee_fen: int | None = None, fee_payer: str | None = None) -> Shipment:
    """The seller records the parcel of a paid order. Promises: the carrier is one of
    carriers.CARRIERS and the number has its format (422 field by field otherwise); one outbound
    parcel per order and one use of a waybill number (409); only an order placed with
    `fulfilment: shipped` (409 `not_a_shipped_order`); the buyer is notified. The order stays
    `paid_held` until the carrier reports delivery. Fee and payer default to the order's shipping
    terms (fixed at placement)."""
    check_parcel(carrier, tracking_number, shipping_fee_fen, "shipment")
    order = orders.lock(session, order_id)
    if side(actor, order) != "seller":
        raise Forbidden("only the seller ships", code="not_your_step")
    _require_shipped(order)
    if order.status != S.PAID_HELD:
        raise Conflict(f"only a paid order ships (this one is {order.status.value})", code="order_not_shippable")
    if shipping_fee_fen is None:
        shipping_fee_fen = order.shipping_fee_fen
    if fee_payer is None:
        fee_payer = order.shipping_paid_by.value
    shipment = record_parcel(session, actor, order, Direction.OUTBOUND, carrier=carrier,
                             tracking_number=tracking_number, shipping_fee_fen=shipping_fee_fen, fee_payer=fee_payer,
                             taken="this order already shipped")
    notify(session, order.buyer_id, "shipped", event_key=f"shipment:{shipment.id}",
           params=parcel_params(order, shipment), ref_type="order", ref_id=order.id)
    return shipment


def _require_shipped(order: Order) -> None:
    # A meet-up order is handed over in person (POST /orders/{id}/handover): a waybill on it would
    # start a carrier-driven acceptance window the buyer never agreed to.
    if order.fulfilment != Fulfilment.SHIPPED:
        raise Conflict("this order was placed for a meet-up: it is handed over in person, not shipped",
                       code="not_a_shipped_order")


def check_parcel(carrier: str, tracking_number: str, shipping_fee_fen: int | None, what: str) -> None:
    """422 field by field: a carrier not in carriers.CARRIERS, a waybill number not in its
    carrier's format, a negative fee."""
    errors = carriers.format_error(carrier, tracking_number)
    if shipping_fee_fen is not None and shipping_fee_fen < 0:
        errors["shipping_fee_fen"] = ["Must not be negative."]
    if errors:
        raise ValidationFailed(f"the {what} is not valid", fields=errors)


def record_parcel(session: Session, actor: User, order: Order, direction: Direction, *, carrier: str,
                  tracking_number: str, shipping_fee_fen: int, fee_payer: str, taken: str) -> Shipment:
    """One parcel of `order` (checked by the caller) in `direction`. 409 `shipment_exists` when the
    order already has a parcel that way or the waybill number is in use (`taken` says which)."""
    now = clock.now(session)
    shipment = Shipment(id=uuid.uuid4(), order_id=order.id, direction=direction, carrier=carrier,
                        tracking_number=carriers.normalise(tracking_number), status=TrackingStatus.SHIPPED,
                        status_at=now, shipping_fee_fen=shipping_fee_fen, fee_payer=FeePayer(fee_payer),
                        shipped_by=actor.id, created_at=now)
    try:
        with session.begin_nested():
            session.add(shipment)
            session.flush()
    except IntegrityError:
        raise Conflict(f"{taken}, or the waybill number is in use", code="shipment_exists") from None
    return shipment


def parcel_params(order: Order, shipment: Shipment) -> dict:
    """What a parcel's notice names: the item, the carrier in both languages and the waybill."""
    info = carriers.CARRIERS[shipment.carrier]
    return {"title": order.listing.title, "carrier": info.name_zh, "carrier_en": info.name_en,
            "tracking": shipment.tracking_number}


def cancel_unshipped(session: Session, actor: User, order_id, *, gateway: PaymentGateway) -> Order:
    """The buyer cancels a paid order the seller did not ship by its deadline: the held money is
    released in full through the order's cancel path (listing, subsidy and store credit too), and
    the seller's credit record gets one `order_not_shipped` event. 409 before the deadline or once
    a parcel is recorded."""
    order = orders.lock(session, order_id)
    if side(actor, order) != "buyer":
        raise Forbidden("only the buyer cancels for a missed shipping deadline", code="not_your_step")
    _require_shipped(order)
    if order.status != S.PAID_HELD:
        raise Conflict(f"the order is {order.status.value}", code="order_not_shippable")
    if session.scalar(select(Shipment.id).where(Shipment.order_id == order.id,
                                                Shipment.direction == Direction.OUTBOUND)) is not None:
        raise Conflict("the seller has shipped", code="already_shipped")
    due = ship_by(session, order)
    if clock.now(session) <= due:
        raise Conflict(f"the seller may ship until {due.isoformat()}", code="shipping_deadline_not_passed")
    orders.cancel_order(session, order, gateway, actor_id=actor.id, by="shipping_deadline",
                        reason="the seller did not ship in time")
    record_event_once(session, order.seller_id, "order_not_shipped", ref_type="order", ref_id=order.id,
                      occurred_at=clock.now(session))
    return order
