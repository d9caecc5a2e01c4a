"""The resale gate of a collected item: a data-bearing device a recycler collected leaves for
resale only with a valid data-wipe certificate (the same gate as listings, orders and trade-ins,
services.certificates.verify.device_gate). Certificates read pickups (a wipe request names the
consumer's pickup), so the pickup side of this gate lives here, above both."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.models import User
from services.certificates.interface import device_gate, needs_certificate, require_issued_since
from services.errors import Conflict, NotFound
from services.pickups import interface as pickups
from services.pickups.models import Booking, BookingItem

COLLECTED_STATES = ("collected", "delivered_to_facility", "processed")


def certificate_for_item(session: Session, actor: User, item_id) -> dict:
    """The certificate that clears a collected item for resale, for the handling recycler's
    staff and operators. Raises Conflict (not_collected, no_certificate_needed), IdentifierRequired
    (422) when a data-bearing item was collected without its IMEI, CertificateRequired (409)."""
    item = session.get(BookingItem, item_id)
    booking = session.get(Booking, item.booking_id) if item else None
    if item is None or not pickups.can_view(actor, booking):
        raise NotFound("no such pickup item")
    pickups.require_recycler_side(actor, booking)
    if booking.status.value not in COLLECTED_STATES:
        raise Conflict("only a collected item can go to resale", code="not_collected")
    if not needs_certificate(item.category, item.kind, {}):
        raise Conflict("the wipe certificate applies to data-bearing electronics",
                       code="no_certificate_needed")
    cert = device_gate(session, category=item.category, kind=item.kind, attributes={},
                       device_hash=item.device_hash, serial_hash=None, field_prefix="item.")
    require_issued_since(cert, booking.created_at, "pickup")   # this consumer's data, not an earlier owner's
    return {"certificate_id": cert.id, "item_id": item.id}
