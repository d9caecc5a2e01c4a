"""What a technician submits: a certificate draft, before rules, hashing and signing.

Raw identifiers live only here, in memory, for the length of one request: the document
built from a draft keeps keyed hashes and last-four characters (see document.py).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.identifiers import normalise


class DeviceKind(StrEnum):
    PHONE = "phone"
    TABLET = "tablet"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    DRIVE = "drive"          # a bare HDD or SSD
    OTHER = "other"


# Listings, search and the subsidy rules name devices in one vocabulary
# (services/listings/validation.py ELECTRONICS_KINDS). Certificates keep their original values in
# signed payloads and stored rows, so those are never rewritten: input takes either name, and
# people are shown the shared one.
SHARED_NAMES = {DeviceKind.PHONE: "mobile_phone", DeviceKind.DRIVE: "storage_drive"}
ALIASES = {old.value: new for old, new in SHARED_NAMES.items()}  # older name -> shared name
_BY_NAME = {**{k.value: k for k in DeviceKind}, **{new: old for old, new in SHARED_NAMES.items()}}


def device_kind(name: str) -> DeviceKind:
    """The kind named in the shared vocabulary (`mobile_phone`) or by its older certificate name
    (`phone`); ValueError for anything else."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown device kind {name!r}") from None


def shared_name(kind: str) -> str:
    """The shared-vocabulary name of a stored certificate kind (`phone` -> `mobile_phone`)."""
    return SHARED_NAMES.get(_BY_NAME.get(kind), kind)


def input_names() -> list[str]:
    """Every name input accepts: the shared names first, then the older aliases."""
    return [shared_name(k.value) for k in DeviceKind] + list(ALIASES)


class MediaType(StrEnum):
    MAGNETIC = "magnetic"                  # HDD
    FLASH_SSD = "flash_ssd"                # SATA, SAS or NVMe SSD
    FLASH_EMBEDDED = "flash_embedded"      # phone / tablet eMMC, UFS, Apple NAND behind the SEP
    FLASH_REMOVABLE = "flash_removable"    # SD / microSD cards, USB sticks, CF


class Level(StrEnum):
    CLEAR = "clear"
    PURGE = "purge"
    DESTROY = "destroy"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.CLEAR: 1, Level.PURGE: 2, Level.DESTROY: 3}


class Technique(StrEnum):
    OVERWRITE = "overwrite"
    BLOCK_ERASE = "block_erase"
    CRYPTO_ERASE = "crypto_erase"
    FACTORY_RESET = "factory_reset"
    PHYSICAL_DESTRUCTION = "physical_destruction"


class VerificationMethod(StrEnum):
    FULL_READBACK = "full_readback"
    SAMPLED_READBACK = "sampled_readback"
    COMMAND_STATUS = "command_status"    # sanitize status log / tool completion evidence
    VISUAL_INSPECTION = "visual_inspection"  # destruction: the fragments were inspected
    NONE = "none"


class VerificationResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class Outcome(StrEnum):
    ERASED = "erased"
    ERASED_WITH_EXCEPTIONS = "erased_with_exceptions"
    FAILED = "failed"


class HiddenAreas(StrEnum):
    """HPA / DCO / AMA on ATA drives: a hidden area is not overwritten by a software wipe."""
    NOT_APPLICABLE = "not_applicable"
    NONE = "none"
    REMOVED = "removed"
    PRESENT = "present"
    UNKNOWN = "unknown"


class LockState(StrEnum):
    NOT_PRESENT = "not_present"
    REMOVED = "removed"
    PRESENT = "present"
    UNKNOWN = "unknown"


class Destination(StrEnum):
    RESALE = "resale"            # leaves our control to a buyer
    RECYCLING = "recycling"      # leaves our control to a recycler
    DESTRUCTION = "destruction"  # to be destroyed; the certificate must show it was


@dataclass
class Tool:
    name: str
    version: str


@dataclass
class Medium:
    media_type: MediaType
    interface: str
    capacity_bytes: int
    level: Level
    technique: Technique
    tool: Tool
    verification_method: VerificationMethod
    verification_result: VerificationResult
    started_at: datetime
    completed_at: datetime
    outcome: Outcome
    serial: str | None = None
    passes: int | None = None             # overwrite only
    random_passes: int | None = None      # overwrite only: passes with random data
    encrypted_from_first_use: bool | None = None   # crypto erase precondition
    hidden_areas: HiddenAreas = HiddenAreas.NOT_APPLICABLE
    removable: bool = False


@dataclass
class Locks:
    activation_lock: LockState
    frp: LockState
    mdm: LockState


@dataclass
class Person:
    user_id: str
    name: str
    organization_id: str | None = None


@dataclass
class Draft:
    device_kind: DeviceKind
    make: str
    model: str
    media: list[Medium]
    locks: Locks
    destination: Destination
    technician: Person
    validator: Person
    place: str
    imeis: list[str] = field(default_factory=list)
    serial: str | None = None
    custody_event_ids: list[str] = field(default_factory=list)


def clean_identifier(value: str) -> str:
    """NFKC, then strip spaces and dashes and upper-case: the form that is checked and hashed.

    NFKC folds full-width digits and other look-alikes, so `１２３` and `1 2-3` cannot pose as
    a different device from `123` (abuse case: identifier variants to dodge uniqueness).
    """
    return normalise(unicodedata.normalize("NFKC", value))
