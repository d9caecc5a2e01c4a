"""The carrier behind an interface. A real carrier (or an aggregator such as Kuaidi100) pushes
events to the signed webhook; the stand-in the embedded demo uses makes them up from the clock,
so `make run` shows a parcel moving without any outside service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.shipping.models import Shipment, TrackingStatus as T


@dataclass(frozen=True)
class TrackingEvent:
    event_id: str
    tracking_number: str
    status: T
    occurred_at: datetime
    location: str | None = None


class Carrier(Protocol):
    name: str

    def poll(self, shipment: Shipment, now: datetime) -> list[TrackingEvent]:
        """Events the carrier has for the shipment by `now` (a pushing carrier returns none)."""


class PushCarrier:
    """Real carriers push to POST /api/v1/webhooks/carriers/<code>: nothing to poll."""
    name = "push"

    def poll(self, shipment: Shipment, now: datetime) -> list[TrackingEvent]:
        return []


# The stand-in's itinerary: each step this long after the shipment was recorded.
STANDIN_STEPS = ((T.PICKED_UP, timedelta(hours=2), "发件网点"), (T.IN_TRANSIT, timedelta(hours=12), "转运中心"),
                 (T.OUT_FOR_DELIVERY, timedelta(hours=30), "派送网点"), (T.DELIVERED, timedelta(hours=36), "已签收"))


class StandInCarrier:
    """Every parcel is picked up after 2 h, in transit after 12 h, out for delivery after 30 h and
    delivered after 36 h. Event ids are stable, so polling twice applies nothing twice."""
    name = "standin"

    def poll(self, shipment: Shipment, now: datetime) -> list[TrackingEvent]:
        start = shipment.created_at
        return [TrackingEvent(f"standin-{shipment.id}-{status.value}", shipment.tracking_number, status,
                              start + after, where)
                for status, after, where in STANDIN_STEPS if start + after <= now]


def build(name: str) -> Carrier:
    if name == "standin":
        return StandInCarrier()
    if name == "push":
        return PushCarrier()
    raise ValueError(f"unknown carrier source {name!r}; known: standin, push")
