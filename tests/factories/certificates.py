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
