"""The resale gate of a traded-in device: once paid for, an electronics device leaves for resale
only with a valid data-wipe certificate (the certificates domain decides what valid means)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.certificates.interface import device_gate, for_device, needs_certificate, require_issued_since
from services.errors import Conflict
from services.tradeins import common
from services.tradeins.models import Status


def certificate_for(session: Session, actor, tradein_id) -> dict:
    """The certificate that clears a paid trade-in for resale, for its handler's staff and
    operators. Raises CertificateRequired (409 wipe_certificate_required) when there is none."""
    t = common.get(session, actor, tradein_id)
    if not (actor.is_operator or common.is_staff_of(actor, t)):
        common.require_staff(actor, t)
    if t.status != Status.PAID:
        raise Conflict("only a paid-for trade-in can go to resale", code="not_paid")
    if not needs_certificate(t.category, t.kind, {}):
        raise Conflict("the wipe certificate applies to data-bearing electronics",
                       code="no_certificate_needed")
    if not (t.device_hash or t.serial_hash):
        raise Conflict("the device has no IMEI or serial number on record", code="no_device_identifier")
    # The same gate as listings and order capture (a trade-in declares no `has_storage`).
    cert = device_gate(session, category=t.category, kind=t.kind, attributes={},
                       device_hash=t.device_hash, serial_hash=t.serial_hash)
    require_issued_since(cert, t.created_at, "trade-in")   # this consumer's data, not an earlier owner's
    return {"certificate_id": cert.id, "tradein_id": t.id}


def wipe_certificate(session: Session, t) -> dict | None:
    """The data-wipe certificate of the traded-in device, as the consumer who handed it over sees
    it (proof their data is gone): id, status, level, organisation, date; None while there is
    none. Only certificates issued since the trade-in began count (not an earlier owner's)."""
    if not needs_certificate(t.category, t.kind, {}):
        return None
    return for_device(session, {t.device_hash, t.serial_hash}, issued_since=t.created_at)
