"""Tracking events from a carrier (webhook or the stand-in's poll) applied to shipments.

Replay-safe: each (carrier, event id) is stored once; a repeat changes nothing. Out-of-order
safe: a shipment's status only moves to an event at least as new (by the carrier's own time) as
the one that set it, and `delivered` is final, so a late "in transit" never undoes a delivery.
Delivery of an outbound parcel hands the order over: the acceptance window starts and the
existing auto-capture job accepts it when the window ends; delivery of a return refunds the buyer
(returns.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, deps
from services.errors import ValidationFailed
from services.notifications.interface import notify
from services.orders import interface as orders
from services.orders.models import OrderStatus as S
from services.shipping import returns
from services.shipping.models import Direction, Shipment, ShipmentEvent, TrackingStatus as T
from services.shipping.ports import TrackingEvent

APPLIED, DUPLICATE, STALE, UNKNOWN = "applied", "duplicate", "stale", "unknown_shipment"


def parse(payload) -> TrackingEvent:
    """A webhook body {event_id, tracking_number, status, occurred_at (ISO 8601 with zone),
    location?} as an event; 422 field by field."""
    if not isinstance(payload, dict):
        raise ValidationFailed("the body is not an event", fields={"_body": ["Expected a JSON object."]})
    errors, values = {}, {}
    for name in ("event_id", "tracking_number", "status", "occurred_at"):
        v = payload.get(name)
        if not isinstance(v, str) or not v.strip() or len(v) > 100:
            errors[name] = ["Required: a string of at most 100 characters."]
        else:
            values[name] = v.strip()
    if "status" in values:
        try:
            values["status"] = T(values["status"])
        except ValueError:
            errors["status"] = [f"One of: {', '.join(s.value for s in T)}."]
    if "occurred_at" in values:
        try:
            at = datetime.fromisoformat(values["occurred_at"])
            if at.tzinfo is None:
                raise ValueError
            values["occurred_at"] = at
        except ValueError:
            errors["occurred_at"] = ["An ISO 8601 time with its zone."]
    location = payload.get("location")
    if location is not None and (not isinstance(location, str) or len(location) > 100):
        errors["location"] = ["A string of at most 100 characters."]
    if errors:
        raise ValidationFailed("not a tracking event", fields=errors)
    return TrackingEvent(values["event_id"], values["tracking_number"].upper(), values["status"],
                         values["occurred_at"], location)


def apply(session: Session, carrier: str, event: TrackingEvent) -> str:
    """Store and apply one event; returns applied | duplicate | stale | unknown_shipment."""
    shipment = session.scalar(select(Shipment).where(Shipment.carrier == carrier,
                                                     Shipment.tracking_number == event.tracking_number)
                              .with_for_update())
    if shipment is None:
        return UNKNOWN
    row = ShipmentEvent(shipment_id=shipment.id, carrier=carrier, event_id=event.event_id, status=event.status,
                        occurred_at=event.occurred_at, location=event.location, applied=False,
                        received_at=clock.now(session))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return DUPLICATE
    if shipment.status == T.DELIVERED or event.occurred_at < shipment.status_at:
        return STALE
    row.applied = True
    shipment.status, shipment.status_at = event.status, event.occurred_at
    if event.status == T.DELIVERED:
        shipment.delivered_at = event.occurred_at
        if shipment.direction == Direction.OUTBOUND:
            _delivered(session, shipment)
        else:
            returns.delivered(session, shipment)
    session.flush()
    return APPLIED


def _delivered(session: Session, shipment: Shipment) -> None:
    # A delivered parcel is a handed-over item: the same move and window as a meeting in person.
    order = orders.lock(session, shipment.order_id)
    if order.status != S.PAID_HELD:
        return   # cancelled or disputed meanwhile: the delivery is recorded on the shipment only
    orders.move(session, order, S.HANDED_OVER, action="delivered", reason=f"{shipment.carrier} delivered")
    order.accept_by = order.handed_over_at + deps.of(session).buying.acceptance_window
    notify(session, order.buyer_id, "delivered", event_key=f"shipment:{shipment.id}",
                params={"title": order.listing.title, "accept_by": clock.local_text(order.accept_by)},
                ref_type="order", ref_id=order.id)
