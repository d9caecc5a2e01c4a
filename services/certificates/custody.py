"""Chain of custody: intake, transfers, wipe, QC and dispatch events for a device.

Events are keyed by the device's keyed hash (IMEI, else serial), so the trade-in and pickup
domains can record an intake with only what they already store.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock, identifiers
from services.identifiers import IdHasher
from services.accounts.models import Role, User
from services.errors import Forbidden, ValidationFailed

from .document import IMEI, SERIAL, hashed
from .models import CUSTODY_STARTS, CustodyEvent, CustodyKind
from .rules import CLOCK_SKEW

HANDLER_ROLES = (Role.RECYCLER, Role.RETAILER, Role.OPERATOR)


def device_key(hasher: IdHasher, imei: str | None, serial: str | None) -> dict[str, str]:
    """The keyed hash that names a device in custody records: its IMEI, else its serial."""
    if imei:
        return hashed(hasher, imei, IMEI)
    if serial:
        return hashed(hasher, serial, SERIAL)
    raise ValidationFailed("a custody event needs the device's IMEI or serial",
                           fields={"imei": ["Give imei or serial."]})


def record(session: Session, actor: User, *, kind: CustodyKind, at: datetime,
           imei: str | None = None, serial: str | None = None, note: str = "",
           org_id: uuid.UUID | None = None) -> CustodyEvent:
    """Append one custody event; only recyclers, retailers and operators handle devices."""
    if actor.role not in HANDLER_ROLES:
        raise Forbidden("only recyclers, retailers and operators record custody",
                        code="role_required")
    if at.tzinfo is None or at > clock.now(session) + CLOCK_SKEW:
        raise ValidationFailed("a custody event cannot be in the future",
                               fields={"at": ["Must not be in the future."]})
    if org_id is None and actor.org_ids():
        org_id = sorted(actor.org_ids())[0]
    elif org_id is not None and org_id not in actor.org_ids() and not actor.is_operator:
        raise Forbidden("not a member of that organisation")
    key = device_key(identifiers.hasher(session), imei, serial)
    event = CustodyEvent(device_hash=key["hash"], device_last4=key["last4"], kind=kind, at=at,
                         org_id=org_id, recorded_by=actor.id, note=note)
    session.add(event)
    session.flush()
    return event


def custody_start(session: Session, device_hashes: set[str]) -> datetime | None:
    """When we last took custody of the device (latest intake or return), if ever."""
    return session.scalar(select(func.max(CustodyEvent.at)).where(
        CustodyEvent.device_hash.in_(device_hashes), CustodyEvent.kind.in_(CUSTODY_STARTS)))


def events_since(session: Session, device_hashes: set[str], since: datetime) -> list[CustodyEvent]:
    return list(session.scalars(select(CustodyEvent).where(
        CustodyEvent.device_hash.in_(device_hashes), CustodyEvent.at >= since)
        .order_by(CustodyEvent.at, CustodyEvent.created_at)))
