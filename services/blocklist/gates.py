"""The blocklist's hold on listings.

`refuse_blocked_listing` is a listing publish gate (services.flows.publishing.PUBLISH_GATES): a
listing of a blocked device can neither be submitted for review nor approved. The same check runs
when a listing is created or its VIN/IMEI/serial changes, through a before-flush hook, so that a
blocked device is refused at the first step rather than at submission.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from services.blocklist.service import refuse_if_blocked
from services.listings.models import Listing


def _fields(listing) -> tuple[str, str]:
    category = getattr(listing.category, "value", listing.category)
    return ("attributes.vin" if category == "vehicle" else "attributes.imei"), "attributes.serial_number"


def refuse_blocked_listing(session: Session, listing: Listing) -> None:
    device_field, serial_field = _fields(listing)
    refuse_if_blocked(session, device_hash=listing.device_hash, serial_hash=listing.serial_hash,
                      device_field=device_field, serial_field=serial_field, what="listed")


def _identity_changed(listing) -> bool:
    state = inspect(listing)
    return any(state.attrs[a].history.has_changes() for a in ("device_hash", "serial_hash"))


@event.listens_for(Session, "before_flush")
def _guard_listing_identity(session: Session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Listing) and (obj.device_hash or obj.serial_hash) and \
                (obj in session.new or _identity_changed(obj)):
            refuse_blocked_listing(session, obj)
