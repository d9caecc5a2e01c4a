"""The operator-kept blocklist: add and remove entries (audited), and refuse blocked devices
wherever they appear (trade-ins, listings)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, identifiers, pagination
from services.blocklist.models import PURPOSE, BlockedIdentifier, Kind, Reason
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed

REASON_TEXT = {Reason.LOST: ("挂失", "reported lost"), Reason.STOLEN: ("被盗", "reported stolen"),
               Reason.FRAUD: ("涉嫌欺诈", "linked to fraud")}
LABEL = {Kind.IMEI: "IMEI", Kind.VIN: "VIN", Kind.SERIAL: "serial number"}


class DeviceBlocked(Forbidden):
    code = "device_blocklisted"


def _check_value(kind: Kind, value: str) -> str:
    v = identifiers.normalise(value or "")
    ok = {Kind.IMEI: identifiers.imei_ok, Kind.VIN: identifiers.vin_ok,
          Kind.SERIAL: lambda s: 4 <= len(s) <= 40 and s.isalnum()}[kind](v)
    if not ok:
        msg = {Kind.IMEI: "IMEI must be 15 digits with a valid Luhn check digit.",
               Kind.VIN: "VIN must be 17 characters with a valid check digit (position 9).",
               Kind.SERIAL: "Serial number must be 4 to 40 letters or digits."}[kind]
        raise ValidationFailed(f"invalid {LABEL[kind]}", fields={"value": [msg]})
    return v


def hash_of(hasher: identifiers.IdHasher, kind: Kind, value: str) -> str:
    return hasher.hash(value, purpose=PURPOSE[kind])


def add(session: Session, operator, *, kind: Kind, value: str, reason: Reason, reference: str | None = None,
        note: str | None = None) -> BlockedIdentifier:
    """Block an identifier (only its keyed hash and last four characters are kept). Audited."""
    v = _check_value(kind, value)
    entry = BlockedIdentifier(kind=kind, value_hash=hash_of(identifiers.hasher(session), kind, v), last4=identifiers.last4(v), reason=reason,
                              reference=reference, note=note, added_by=operator.id)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise Conflict(f"this {LABEL[kind]} is already on the blocklist", code="already_blocklisted") from None
    audit.record(session, operator.id, "blocklist.add", "blocklist", entry.id,
                 after={"kind": kind.value, "last4": entry.last4, "reason": reason.value, "reference": reference},
                 reason=note)
    return entry


def remove(session: Session, operator, entry_id, reason: str) -> BlockedIdentifier:
    """Lift a block (the device was found, the report withdrawn). The entry stays as history. Audited."""
    entry = session.scalar(select(BlockedIdentifier).where(BlockedIdentifier.id == entry_id).with_for_update())
    if entry is None:
        raise NotFound("no such blocklist entry")
    if entry.removed_at is not None:
        raise Conflict("this entry was already removed", code="already_removed")
    entry.removed_at, entry.removed_by, entry.removal_reason = clock.now(session), operator.id, reason
    audit.record(session, operator.id, "blocklist.remove", "blocklist", entry.id,
                 before={"reason": entry.reason.value}, after={"removed": True}, reason=reason)
    session.flush()
    return entry


def browse(session: Session, *, cursor: str | None, limit: int, include_removed: bool = False,
           value: str | None = None, kind: Kind | None = None):
    stmt = select(BlockedIdentifier)
    if not include_removed:
        stmt = stmt.where(BlockedIdentifier.removed_at.is_(None))
    if kind:
        stmt = stmt.where(BlockedIdentifier.kind == kind)
    if value and kind:
        stmt = stmt.where(BlockedIdentifier.value_hash == hash_of(identifiers.hasher(session), kind, value))
    return pagination.page(session, stmt, BlockedIdentifier, cursor, limit)


def find(session: Session, hashes: list[str | None]) -> BlockedIdentifier | None:
    """The live entry matching any of the keyed hashes, if one does."""
    hashes = [h for h in hashes if h]
    if not hashes:
        return None
    return session.scalar(select(BlockedIdentifier).where(BlockedIdentifier.value_hash.in_(hashes),
                                                          BlockedIdentifier.removed_at.is_(None)).limit(1))


def refuse_if_blocked(session: Session, *, device_hash: str | None, serial_hash: str | None,
                      device_field: str, serial_field: str, what: str = "traded in or listed") -> None:
    """Raise DeviceBlocked, naming the field and the reason, when either hash is blocklisted."""
    entry = find(session, [device_hash, serial_hash])
    if entry is None:
        return
    field = device_field if entry.value_hash == device_hash else serial_field
    zh, en = REASON_TEXT[entry.reason]
    msg = (f"This {LABEL[entry.kind]} (****{entry.last4}) is on the blocklist ({en}) and cannot be {what}. "
           f"该设备已被{zh}，不能回收或发布。")
    raise DeviceBlocked(msg, fields={field: [msg]}, extra={"reason": entry.reason.value})
