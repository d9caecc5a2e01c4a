"""NEV traction battery custody at scrappage: the battery pack code (GB/T 34014) recorded against
the VIN when a recycler takes in a scrapped NEV, the 车电一体 check (a vehicle handed in without
its battery is incomplete, 2026 measures in force from 2026-04-01), hand-over only to recipients
on the operator-kept list, the custody log, and the working-day deadlines for reporting each step
to the national traceability platform. Sources: ../shared/domain/remanufacturing.md §3.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, identifiers, pagination
from services.accounts.interface import acting_org, require_verified
from services.accounts.models import OrgKind, User
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from services.pickups import voucher_for
from services.batteries import workdays
from services.batteries.models import (BatteryRecipient, BatteryStatus, BatteryEvent, RecipientType,
                                      TractionBattery)

# Reporting deadlines in working days, per rule version (新能源汽车动力蓄电池回收利用溯源管理暂行规定,
# MIIT 2018, in force 2018-08-01): a 报废汽车回收拆解企业 uploads within 15 working days of taking in
# a scrapped NEV (issuing the 回收证明) and of handing a removed battery out of stock. The 2026
# measures may change N; a new version goes here with its source.
REPORTING_RULES = {
    "version": "2018-traceability",
    "source": "新能源汽车动力蓄电池回收利用溯源管理暂行规定 (MIIT 节能司, 2018-07-03), art. 10-19",
    "working_days": {"vehicle_received": 15, "battery_handed_over": 15},
}
# 车电一体报废: from this day a scrapped NEV without its battery counts as incomplete.
WHOLE_VEHICLE_FROM = date(2026, 4, 1)
# GB/T 34014-2017 confirms only the two-part structure (design + production information); the
# character layout is not verified, so the check is deliberately loose: letters and digits.
_PACK_CODE = re.compile(r"^[0-9A-Z]{10,40}$")


def _local_today(session: Session) -> date:
    return clock.now(session).astimezone(clock.SHANGHAI).date()


def member_org(user: User, org_id=None) -> uuid.UUID:
    """The recycler organisation the user acts for (403 when they act for none)."""
    org = acting_org(user, org_id)
    if org is None:
        raise Forbidden("requires a recycler organisation", code="role_required")
    return org


def _recycler_org(session: Session, user: User, org_id) -> uuid.UUID:
    org = member_org(user, org_id)
    require_verified(session, org, OrgKind.RECYCLER, "record scrapped NEV batteries")
    return org


# --- recipients (operator-kept list) ---------------------------------------------------------

def add_recipient(session: Session, operator, data: dict) -> BatteryRecipient:
    """Put a maker's collection point, cascade-use or recycling firm on the list of recipients a
    removed battery may go to. Audited; 409 when it is already listed for that role."""
    code = identifiers.normalise(data["credit_code"])
    if not identifiers.uscc_ok(code):
        raise ValidationFailed("invalid credit code", fields={
            "credit_code": ["Not a valid 统一社会信用代码 (18 characters with its check character)."]})
    r = BatteryRecipient(name=data["name"].strip(), credit_code=code,
                         recipient_type=RecipientType(data["recipient_type"]), list_ref=data["list_ref"].strip(),
                         region_code=data.get("region_code"), added_by=operator.id)
    try:
        with session.begin_nested():
            session.add(r)
            session.flush()
    except IntegrityError:
        raise Conflict("already on the recipient list", code="already_listed") from None
    audit.record(session, operator.id, "battery_recipient.add", "battery_recipient", r.id,
                 after={"name": r.name, "type": r.recipient_type.value, "list_ref": r.list_ref})
    return r


def withdraw_recipient(session: Session, operator, recipient_id, reason: str) -> BatteryRecipient:
    """Take a recipient off the list (no further hand-overs to it). Audited."""
    r = session.scalar(select(BatteryRecipient).where(BatteryRecipient.id == recipient_id).with_for_update())
    if r is None:
        raise NotFound("no such recipient")
    if r.withdrawn_at is not None:
        raise Conflict("already withdrawn", code="already_withdrawn")
    r.withdrawn_at = clock.now(session)
    audit.record(session, operator.id, "battery_recipient.withdraw", "battery_recipient", r.id, reason=reason)
    session.flush()
    return r


def browse_recipients(session: Session, *, cursor, limit, recipient_type: str | None = None):
    stmt = select(BatteryRecipient).where(BatteryRecipient.withdrawn_at.is_(None))
    if recipient_type:
        stmt = stmt.where(BatteryRecipient.recipient_type == RecipientType(recipient_type))
    return pagination.page(session, stmt, BatteryRecipient, cursor, limit)


# --- batteries -------------------------------------------------------------------------------

def _event(session: Session, battery: TractionBattery, kind: str, on: date, actor_id, recipient_id=None, *,
           late_reason: str | None = None, field: str = "on") -> BatteryEvent:
    due = workdays.add_working_days(on, REPORTING_RULES["working_days"][kind])
    if due < _local_today(session) and not (late_reason or "").strip():
        # A step recorded after its reporting deadline has passed is not slipped in silently.
        raise ValidationFailed("the reporting deadline has passed", fields={field: [
            f"The deadline for reporting this step to the traceability platform was {due.isoformat()} "
            f"({REPORTING_RULES['working_days'][kind]} working days): give late_reason and report it now."]})
    ev = BatteryEvent(battery_id=battery.id, kind=kind, happened_on=on, at=clock.now(session), actor_id=actor_id,
                      recipient_id=recipient_id, report_due_on=due, late_reason=late_reason)
    battery.events.append(ev)
    return ev


def record(session: Session, user: User, data: dict) -> TractionBattery:
    """Record a scrapped NEV's traction battery against its VIN, for the recycler that took the
    vehicle in (a verified recycler organisation). With `voucher_number` the scrappage voucher
    must be this recycler's and list this VIN. A vehicle handed in without its battery (and not a
    swap-mode vehicle) is flagged `vehicle_incomplete` from 2026-04-01 (车电一体). The first
    custody event, `vehicle_received`, carries its reporting deadline; a vehicle recorded after
    that deadline has passed needs `late_reason`. 422 field by field; 409 when the VIN is
    already recorded."""
    org = _recycler_org(session, user, data.get("org_id"))
    errors: dict[str, list[str]] = {}
    vin = identifiers.normalise(data["vin"])
    if not identifiers.vin_ok(vin):
        errors["vin"] = ["VIN must be 17 characters with a valid check digit (position 9)."]
    present = data["battery_present"]
    pack = identifiers.normalise(data.get("pack_code") or "") or None
    if present and not pack:
        errors["pack_code"] = ["The battery pack code (GB/T 34014) is required when the battery came with the vehicle."]
    elif pack and not _PACK_CODE.match(pack):
        errors["pack_code"] = ["A GB/T 34014 pack code is 10 to 40 letters and digits."]
    if not present and pack:
        errors["pack_code"] = ["No pack code for a battery that did not come with the vehicle."]
    voucher = None
    if data.get("voucher_number"):
        voucher = voucher_for(session, number=data["voucher_number"])
        if voucher is None or voucher.recycler_org_id != org:
            errors["voucher_number"] = ["No scrappage voucher of yours has this number."]
        elif "vin" not in errors and not any(
                i.get("device_hash") == identifiers.hmac_hash(session, vin, purpose="device") for i in voucher.items):
            errors["vin"] = ["This VIN is not on the voucher."]
    elif not data.get("scrap_certificate_no"):
        errors["voucher_number"] = ["Give the scrappage voucher number or the 报废机动车回收证明 number."]
    received_on = data.get("received_on") or (
        voucher.collected_at.astimezone(clock.SHANGHAI).date() if voucher else _local_today(session))
    if received_on > _local_today(session):
        errors["received_on"] = ["Must not be in the future."]
    if errors:
        raise ValidationFailed("the battery record is refused", fields=errors)
    incomplete = not present and not data.get("swap_mode", False) and received_on >= WHOLE_VEHICLE_FROM
    battery = TractionBattery(
        id=uuid.uuid4(), recycler_org_id=org, voucher_id=voucher.id if voucher else None,
        scrap_certificate_no=data.get("scrap_certificate_no") or (voucher.scrap_certificate_no if voucher else None),
        vin_hash=identifiers.hmac_hash(session, vin, purpose="device"), vin_last4=identifiers.last4(vin),
        pack_code=pack, battery_type=data.get("battery_type"), rated_capacity_kwh=data.get("rated_capacity_kwh"),
        swap_mode=bool(data.get("swap_mode")), vehicle_incomplete=incomplete, received_on=received_on,
        status=BatteryStatus.IN_CUSTODY if present else BatteryStatus.MISSING, events=[])
    _event(session, battery, "vehicle_received", received_on, user.id, late_reason=data.get("late_reason"),
           field="received_on")
    try:
        with session.begin_nested():
            session.add(battery)
            session.flush()
    except IntegrityError:
        raise Conflict("this VIN's battery is already recorded", code="battery_already_recorded") from None
    audit.record(session, user.id, "battery.record", "traction_battery", battery.id,
                 after={"vin_last4": battery.vin_last4, "pack_code": pack, "incomplete": incomplete})
    return battery


def _own(session: Session, user: User, battery_id, *, lock: bool = False) -> TractionBattery:
    stmt = select(TractionBattery).where(TractionBattery.id == battery_id)
    battery = session.scalar(stmt.with_for_update() if lock else stmt)
    if battery is None or not (user.is_operator or battery.recycler_org_id in user.org_ids()):
        raise NotFound("no such battery record")
    return battery


def get(session: Session, user: User, battery_id) -> TractionBattery:
    """One battery record with its custody log (its recycler's members and operators)."""
    return _own(session, user, battery_id)


def hand_over(session: Session, user: User, battery_id, recipient_id, on: date | None = None,
              late_reason: str | None = None) -> TractionBattery:
    """Hand the removed battery to a recipient on the operator-kept list (maker's collection
    point, cascade-use or recycling firm). Refused with 422 `recipient` for anyone not listed (or
    withdrawn), 409 when the battery is not in the recycler's custody. The row is locked, so two
    concurrent hand-overs cannot both succeed. A hand-over dated so far back that its reporting
    deadline has passed needs `late_reason` (422 `on` otherwise)."""
    battery = _own(session, user, battery_id, lock=True)
    if user.is_operator or battery.recycler_org_id not in user.org_ids():
        raise Forbidden("only the recycler holding the battery hands it over", code="not_the_holder")
    if battery.status is not BatteryStatus.IN_CUSTODY:
        raise InvalidState(battery.status.value, BatteryStatus.HANDED_OVER.value, [])
    recipient = session.get(BatteryRecipient, recipient_id)
    if recipient is None or recipient.withdrawn_at is not None:
        raise ValidationFailed("the recipient is not on the list", fields={"recipient_id": [
            "Batteries go only to a maker's collection point, a cascade-use or a recycling firm on the "
            "operator-kept list; this recipient is not on it."]})
    day = on or _local_today(session)
    if day > _local_today(session) or day < battery.received_on:
        raise ValidationFailed("bad date", fields={"on": ["Between the day the vehicle came in and today."]})
    _event(session, battery, "battery_handed_over", day, user.id, recipient.id, late_reason=late_reason)
    battery.status, battery.recipient = BatteryStatus.HANDED_OVER, recipient
    audit.record(session, user.id, "battery.hand_over", "traction_battery", battery.id,
                 after={"recipient": recipient.name, "type": recipient.recipient_type.value})
    session.flush()
    return battery


def mark_reported(session: Session, user: User, battery_id, event_id, platform_ref: str) -> BatteryEvent:
    """Record that a custody event was uploaded to the traceability platform. A report after the
    deadline is accepted but kept as `reported_late` (the recycler owes the platform the data
    either way). 409 when already reported."""
    battery = _own(session, user, battery_id, lock=True)
    ev = next((e for e in battery.events if e.id == event_id), None)
    if ev is None:
        raise NotFound("no such custody event")
    if ev.reported_at is not None:
        raise Conflict("this event was already reported", code="already_reported")
    ev.reported_at, ev.platform_ref = clock.now(session), platform_ref.strip()
    ev.reported_late = _local_today(session) > ev.report_due_on
    session.flush()
    return ev


@dataclass(frozen=True)
class Deadline:
    battery_id: uuid.UUID
    event_id: uuid.UUID
    kind: str
    vin_masked: str
    pack_code: str | None
    on: date
    due_on: date
    working_days_left: int
    overdue: bool


def working_days_left(due: date, today: date) -> int:
    """Working days from today to the due day (0 on the day itself; negative once missed)."""
    if today <= due:
        n, day = 0, today
        while day < due:
            day = workdays.add_working_days(day, 1)
            n += 1
        return n
    n, day = 0, due
    while day < today:
        day = workdays.add_working_days(day, 1)
        n -= 1
    return n


def deadlines(session: Session, user: User, org_id=None, *, overdue_only: bool = False) -> list[Deadline]:
    """The recycler's custody events not yet reported, soonest due first, with the working days
    left (negative when missed)."""
    org = member_org(user, org_id)
    today = _local_today(session)
    rows = session.execute(
        select(BatteryEvent, TractionBattery).join(TractionBattery, BatteryEvent.battery_id == TractionBattery.id)
        .where(TractionBattery.recycler_org_id == org, BatteryEvent.reported_at.is_(None))
        .order_by(BatteryEvent.report_due_on, BatteryEvent.at)).all()
    out = [Deadline(b.id, e.id, e.kind, identifiers.mask(b.vin_last4), b.pack_code, e.happened_on, e.report_due_on,
                    working_days_left(e.report_due_on, today), today > e.report_due_on) for e, b in rows]
    return [d for d in out if d.overdue] if overdue_only else out


def browse(session: Session, user: User, org_id=None, *, cursor, limit):
    org = member_org(user, org_id)
    stmt = select(TractionBattery).where(TractionBattery.recycler_org_id == org)
    return pagination.page(session, stmt, TractionBattery, cursor, limit)
