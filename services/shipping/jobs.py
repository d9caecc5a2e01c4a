"""Periodic work of shipping."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.shipping import tracking
from services.shipping.models import Shipment, TrackingStatus
from services.shipping.ports import Carrier


def poll_carrier(session: Session, *, carrier: Carrier, ahead: timedelta = timedelta(0)) -> int:
    """Ask the carrier for news of every undelivered shipment (the stand-in moves the demo's
    parcels along; a pushing carrier has none); returns events applied. `ahead` asks as if that
    much more time had passed (`flask shipping advance` in the demo)."""
    now = clock.now(session) + ahead
    open_ids = list(session.scalars(select(Shipment.id).where(Shipment.status != TrackingStatus.DELIVERED)))
    applied = 0
    for shipment_id in open_ids:
        shipment = session.get(Shipment, shipment_id)
        for event in carrier.poll(shipment, now):
            applied += tracking.apply(session, shipment.carrier, event) == tracking.APPLIED
    return applied
