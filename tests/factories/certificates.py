"""Certificate drafts that pass every rule, for tests to break one field at a time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.certificates.draft import (Destination, DeviceKind, Draft, HiddenAreas, Level,
                                         Locks, LockState, MediaType, Medium, Outcome, Person,
                                         Technique, Tool, VerificationMethod, VerificationResult)
from services.certificates.rules import RuleContext

IMEI_1 = "490154203237518"
IMEI_2 = "356938035643809"
OTHER_IMEI = "352099001761481"
LUHN_BAD_IMEI = "490154203237517"
PHONE_SERIAL = "F2LXK0ABHG7Q"
TOOL = Tool("Blancco Mobile Diagnostics & Erasure", "7.4.1")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=timezone.utc)
CUSTODY_START = NOW - timedelta(days=2)
WIPE_START = NOW - timedelta(hours=3)


def phone_medium(**overrides) -> Medium:
    values = dict(media_type=MediaType.FLASH_EMBEDDED, interface="apple-nand", capacity_bytes=128 * 10**9,
                  level=Level.PURGE, technique=Technique.CRYPTO_ERASE, tool=TOOL,
                  verification_method=VerificationMethod.COMMAND_STATUS,
                  verification_result=VerificationResult.PASSED, started_at=WIPE_START,
                  completed_at=WIPE_START + timedelta(minutes=4), outcome=Outcome.ERASED,
                  encrypted_from_first_use=True)
    values.update(overrides)
    return Medium(**values)


def hdd_medium(**overrides) -> Medium:
    values = dict(media_type=MediaType.MAGNETIC, interface="sata", capacity_bytes=10**12,
                  level=Level.PURGE, technique=Technique.OVERWRITE, tool=TOOL,
                  verification_method=VerificationMethod.SAMPLED_READBACK,
                  verification_result=VerificationResult.PASSED, started_at=WIPE_START,
                  completed_at=WIPE_START + timedelta(hours=2), outcome=Outcome.ERASED,
                  serial="WD-WCC4N1234567", passes=3, random_passes=1,
                  hidden_areas=HiddenAreas.NONE)
    values.update(overrides)
    return Medium(**values)


def phone_draft(**overrides) -> Draft:
    values = dict(device_kind=DeviceKind.PHONE, make="Apple", model="iPhone 13",
                  imeis=[IMEI_1, IMEI_2], serial=PHONE_SERIAL, media=[phone_medium()],
                  locks=Locks(LockState.REMOVED, LockState.NOT_PRESENT, LockState.NOT_PRESENT),
                  destination=Destination.RESALE,
                  technician=Person("tech-1", "王工", "org-recycler-1"),
                  validator=Person("qc-2", "李检", "org-recycler-1"),
                  place="上海市闵行区 回收中心 3 号线", custody_event_ids=["ce-1", "ce-2"])
    values.update(overrides)
    return Draft(**values)


def context(**overrides) -> RuleContext:
    values = dict(now=NOW, allowed_tools={(TOOL.name, TOOL.version)},
                  custody_started_at=CUSTODY_START, seller_ids={"seller-9"},
                  seller_org_ids={"org-retailer-9"})
    values.update(overrides)
    return RuleContext(**values)


# --- through the real services (need the `session` fixture) ---------------------------------

def wipe_report(validator_id, *, imeis=(IMEI_1,), serial=PHONE_SERIAL, as_json=False,
                destination="resale", wiped_at: datetime | None = None, kind="phone",
                **medium_over) -> dict:
    """A wipe report as the API takes it (datetimes as ISO text when `as_json`)."""
    from tests.fixtures.clock import TEST_CLOCK
    start = wiped_at or TEST_CLOCK.now() - timedelta(hours=2)
    medium = {"media_type": "flash_embedded", "interface": "apple-nand",
              "capacity_bytes": 128 * 10**9, "level": "purge", "technique": "crypto_erase",
              "encrypted_from_first_use": True,
              "tool": {"name": TOOL.name, "version": TOOL.version},
              "verification": {"method": "command_status", "result": "passed"},
              "started_at": start, "completed_at": start + timedelta(minutes=4),
              "outcome": "erased"}
    medium.update(medium_over)
    if as_json:
        medium = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in medium.items()}
    return {"device": {"kind": kind, "make": "Apple", "model": "iPhone 13",
                       "imeis": list(imeis), "serial": serial},
            "media": [medium],
            "locks": {"activation_lock": "removed", "frp": "not_present", "mdm": "not_present"},
            "destination": destination, "place": "上海 回收中心",
            "validator_id": str(validator_id) if as_json else validator_id}


def recycler_team(session):
    """A recycler technician, a colleague who validates, and an operator who allows the tool."""
    from services.accounts.models import Role
    from services.certificates import tools
    from tests.factories.accounts import add_staff, make_user
    tech = make_user(session, Role.RECYCLER)
    validator = make_user(session, Role.RECYCLER)
    operator = make_user(session, Role.OPERATOR)
    add_staff(session, tech, validator)
    if (TOOL.name, TOOL.version) not in tools.allowed(session):
        tools.add(session, operator.user, name=TOOL.name, version=TOOL.version,
                  assurance="test fixture")
    session.commit()
    session.refresh(validator.user)
    return tech, validator, operator


def intake(session, actor, *, imei=None, serial=None, at=None):
    from services import clock
    from services.certificates import custody
    from services.certificates.models import CustodyKind
    event = custody.record(session, actor.user, kind=CustodyKind.INTAKE,
                           at=at or clock.now(session) - timedelta(days=1), imei=imei, serial=serial)
    session.commit()
    return event


def certify(session, ring, *, imei=IMEI_1, serial=PHONE_SERIAL, team=None, **report_over):
    """A device taken in, wiped, reported, validated and signed: returns the WipeCertificate."""
    from services.certificates import service
    tech, validator, _ = team or recycler_team(session)
    intake(session, tech, imei=imei, serial=None if imei else serial)
    req = service.submit(session, tech.user, wipe_report(
        validator.user.id, imeis=[imei] if imei else [], serial=serial, **report_over))
    cert = service.approve(session, validator.user, req.id, ring)
    session.commit()
    return cert
