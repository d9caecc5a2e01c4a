"""Which wipes we certify. Every refusal names a stable rule code (see RULES).

Sources are the tags of ../shared/domain/datawipe.md: [V] read in the primary text, [S] from a
secondary summary. Rules resting on unconfirmed text ([R]) are not encoded. The TAC-to-model
consistency check (abuse case 2) needs a TAC database we do not have and is left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from services.errors import ValidationFailed
from services.identifiers import imei_ok

from .draft import (Destination, DeviceKind, Draft, HiddenAreas, Level, LockState, MediaType,
                    Medium, Outcome, Technique, VerificationMethod, VerificationResult,
                    clean_identifier)

# code -> (what it refuses, source)
RULES: dict[str, tuple[str, str]] = {
    "IMEI_INVALID": ("an IMEI must be 15 digits with a valid Luhn check digit (an IMEISV is "
                     "not an IMEI)", "3GPP TS 23.003 via [M6], §4 #1"),
    "IMEI_MISSING": ("a phone needs at least one IMEI", "§2 row 5"),
    "IMEI_DUPLICATE": ("the same IMEI is listed twice", "own control, §4 #21"),
    "IDENTIFIER_MISSING": ("a device needs an IMEI or serial; a drive or SSD needs its serial",
                           "NIST r1 §4.8 [N1]; R2v3 App. B(10) [R2], §4 #3"),
    "SERIAL_PLACEHOLDER": ("a serial may not be blank, 'Unknown', a placeholder or anonymised",
                           "nwipe [W1], §4 #3"),
    "NO_MEDIA": ("a certificate covers at least one storage medium", "§2 row 6"),
    "CAPACITY_INVALID": ("a medium's capacity must be a positive number of bytes", "§2 row 7"),
    "TECHNIQUE_NOT_VALID_FOR_MEDIA": ("this technique does not sanitise this kind of media",
                                      "NIST r1 App. A [N1][N53], §3, §4 #9"),
    "LEVEL_OVERSTATED": ("the technique does not reach the level claimed (a factory reset or "
                         "an overwrite of flash is Clear)", "NIST r1 [N1], r2 Q6 [N2F], §4 #8-9"),
    "LEVEL_BELOW_REQUIRED": ("the destination needs a higher level (resale and recycling "
                             "need Purge, destruction needs Destroy)", "NIST r1/r2 [N1][N2S], §4 #8"),
    "CN_MAGNETIC_OVERWRITE_PASSES": ("an overwrite of magnetic media needs at least 3 passes, "
                                     "one of them random", "China erasure standard [C1] (press "
                                     "summaries), §3"),
    "OVERWRITE_PASSES_INVALID": ("an overwrite records its passes (at least 1) and random "
                                 "passes (no more than passes)", "nwipe rounds [W1], §2 row 14"),
    "HIDDEN_AREAS_NOT_CLEARED": ("an overwrite with hidden areas (HPA/DCO) present or unknown "
                                 "is incomplete", "nwipe [W1], §4 #11"),
    "CE_NOT_ENCRYPTED_FROM_FIRST_USE": ("cryptographic erase counts only if the data was "
                                        "encrypted from first use", "NIST r1 CE text [V, N1]; "
                                        "r2 Q9 [N2F], §4 #10"),
    "VERIFICATION_NONE": ("a wipe without verification is not certifiable",
                          "NIST r1 §4.7 [N1]; r2 §4.5.1 [N2S], §4 #12"),
    "VERIFICATION_METHOD_INVALID": ("visual inspection verifies destruction only; destruction "
                                    "is verified by inspection", "own control, §4 #22"),
    "VERIFICATION_FAILED": ("the verification did not pass", "§4 #11"),
    "OUTCOME_NOT_CLEAN": ("only a clean 'erased' outcome is certifiable",
                          "Blancco [B1]; nwipe [W1]; R2v3 [R3], §4 #11"),
    "TIMING_IMPLAUSIBLE": ("times must be timezone-aware, end after start, and not in the "
                           "future", "own control, §4 #14"),
    "CUSTODY_MISSING": ("no intake is recorded: we certify only devices in our custody",
                        "ADISA 3.3.59 [A1]; R2v3 [R3], §2 row 22"),
    "WIPE_BEFORE_CUSTODY": ("the wipe predates our custody of the device (a replayed stale "
                            "wipe)", "ADISA [A1]; R2v3 [R3], §4 #5"),
    "TOOL_NOT_ALLOWED": ("the tool and version are not on the operators' allow-list",
                         "R2v3 [R1][R2]; r2 [N2S], §4 #15"),
    "LOCKS_NOT_REMOVED": ("Activation Lock, FRP and MDM must be confirmed absent or removed",
                          "R2v3 [R3]; Google [M5], §4 #16"),
    "SELF_CERTIFICATION": ("the seller cannot certify or validate their own device",
                           "R2v3 independence [R4], §4 #17"),
    "CERTIFICATE_FOR_OTHER_DEVICE": ("a certificate or correction names another device than "
                                     "the one it is used for", "§4 #4"),
    "VALIDATOR_NOT_INDEPENDENT": ("the validator must be a second person, not the technician",
                                  "NIST App. G validation [N1c]; R2v3 [R4], §2 row 18"),
}

REQUIRED_LEVEL = {Destination.RESALE: Level.PURGE, Destination.RECYCLING: Level.PURGE,
                  Destination.DESTRUCTION: Level.DESTROY}

_FLASH_FIXED = {Technique.OVERWRITE: Level.CLEAR, Technique.BLOCK_ERASE: Level.PURGE,
                Technique.CRYPTO_ERASE: Level.PURGE, Technique.FACTORY_RESET: Level.CLEAR,
                Technique.PHYSICAL_DESTRUCTION: Level.DESTROY}
# (media, technique) -> the highest level it reaches; absent = not a valid pairing.
# Magnetic overwrite is resolved in reachable_level (it depends on the passes).
_REACHABLE: dict[MediaType, dict[Technique, Level]] = {
    MediaType.MAGNETIC: {Technique.CRYPTO_ERASE: Level.PURGE,  # self-encrypting drives
                         Technique.FACTORY_RESET: Level.CLEAR,
                         Technique.PHYSICAL_DESTRUCTION: Level.DESTROY},
    MediaType.FLASH_SSD: dict(_FLASH_FIXED),
    MediaType.FLASH_EMBEDDED: dict(_FLASH_FIXED),
    # "For most cases where Purging is desired, USB removable media should be Destroyed" [N1]
    MediaType.FLASH_REMOVABLE: {Technique.OVERWRITE: Level.CLEAR,
                                Technique.PHYSICAL_DESTRUCTION: Level.DESTROY},
}
CN_MIN_PASSES, CN_MIN_RANDOM_PASSES = 3, 1
CLOCK_SKEW = timedelta(minutes=5)
_PLACEHOLDERS = {"", "UNKNOWN", "N/A", "NA", "NONE", "NULL", "TOBEFILLEDBYO.E.M.",
                 "DEFAULTSTRING", "SYSTEMSERIALNUMBER", "0123456789", "123456789", "1234567890"}
_LOCKED = {LockState.PRESENT, LockState.UNKNOWN}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    path: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "path": self.path}


class CertificationRefused(ValidationFailed):
    """The draft breaks one or more rules; `refusals` says which, with stable codes."""
    code = "certificate_refused"

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        fields: dict[str, list[str]] = {}
        for r in refusals:
            fields.setdefault(r.path, []).append(f"{r.code}: {r.message}")
        super().__init__("; ".join(f"{r.code} ({r.path})" for r in refusals), fields=fields,
                         extra={"refusals": [r.as_dict() for r in refusals]})

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.refusals]


@dataclass
class RuleContext:
    now: datetime
    allowed_tools: set[tuple[str, str]]
    custody_started_at: datetime | None = None
    custody_required: bool = False
    seller_ids: set[str] = field(default_factory=set)
    seller_org_ids: set[str] = field(default_factory=set)
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, code: str, path: str, detail: str | None = None) -> None:
        self.refusals.append(Refusal(code, detail or RULES[code][0], path))


def reachable_level(medium: Medium) -> Level | None:
    """The highest level this (media, technique) reaches, or None if it is no valid pairing."""
    if medium.media_type is MediaType.MAGNETIC and medium.technique is Technique.OVERWRITE:
        if (medium.passes or 0) >= CN_MIN_PASSES and \
                (medium.random_passes or 0) >= CN_MIN_RANDOM_PASSES:
            return Level.PURGE
        return Level.CLEAR
    return _REACHABLE[medium.media_type].get(medium.technique)


def is_placeholder(serial: str) -> bool:
    s = clean_identifier(serial)
    return s in _PLACEHOLDERS or len(set(s)) == 1  # "0000…", "XXXX…" (anonymised)


def check(draft: Draft, ctx: RuleContext) -> list[Refusal]:
    """Every rule the draft breaks, in a stable order; empty means certifiable."""
    ctx.refusals = []
    _check_identifiers(draft, ctx)
    if not draft.media:
        ctx.refuse("NO_MEDIA", "media")
    for i, medium in enumerate(draft.media):
        _check_medium(medium, f"media[{i}]", draft.destination, ctx)
    _check_locks(draft, ctx)
    _check_people(draft, ctx)
    return ctx.refusals


def enforce(draft: Draft, ctx: RuleContext) -> None:
    """Raise CertificationRefused unless the draft passes every rule."""
    refusals = check(draft, ctx)
    if refusals:
        raise CertificationRefused(refusals)


def _check_identifiers(draft: Draft, ctx: RuleContext) -> None:
    seen: set[str] = set()
    for i, imei in enumerate(draft.imeis):
        v = clean_identifier(imei)
        if not imei_ok(v):
            ctx.refuse("IMEI_INVALID", f"imeis[{i}]")
        elif v in seen:
            ctx.refuse("IMEI_DUPLICATE", f"imeis[{i}]")
        seen.add(v)
    if draft.device_kind is DeviceKind.PHONE and not draft.imeis:
        ctx.refuse("IMEI_MISSING", "imeis")
    if draft.serial is not None and is_placeholder(draft.serial):
        ctx.refuse("SERIAL_PLACEHOLDER", "serial")
    if not draft.imeis and draft.serial is None:
        ctx.refuse("IDENTIFIER_MISSING", "serial")


def _check_medium(m: Medium, path: str, destination: Destination, ctx: RuleContext) -> None:
    if m.serial is not None and is_placeholder(m.serial):
        ctx.refuse("SERIAL_PLACEHOLDER", f"{path}.serial")
    elif m.serial is None and m.media_type in (MediaType.MAGNETIC, MediaType.FLASH_SSD):
        ctx.refuse("IDENTIFIER_MISSING", f"{path}.serial")
    if m.capacity_bytes <= 0:
        ctx.refuse("CAPACITY_INVALID", f"{path}.capacity_bytes")
    if (m.tool.name, m.tool.version) not in ctx.allowed_tools:
        ctx.refuse("TOOL_NOT_ALLOWED", f"{path}.tool",
                   f"{m.tool.name} {m.tool.version} is not on the tool allow-list")
    _check_technique(m, path, destination, ctx)
    _check_verification(m, path, ctx)
    _check_times(m, path, ctx)


def _check_technique(m: Medium, path: str, destination: Destination, ctx: RuleContext) -> None:
    if m.technique is Technique.OVERWRITE:
        if m.passes is None or m.passes < 1 or m.random_passes is None \
                or not 0 <= m.random_passes <= m.passes:
            ctx.refuse("OVERWRITE_PASSES_INVALID", f"{path}.passes")
        if m.hidden_areas in (HiddenAreas.PRESENT, HiddenAreas.UNKNOWN):
            ctx.refuse("HIDDEN_AREAS_NOT_CLEARED", f"{path}.hidden_areas")
    if m.technique is Technique.CRYPTO_ERASE and m.encrypted_from_first_use is not True:
        ctx.refuse("CE_NOT_ENCRYPTED_FROM_FIRST_USE", f"{path}.encrypted_from_first_use")
    reachable = reachable_level(m)
    if reachable is None:
        ctx.refuse("TECHNIQUE_NOT_VALID_FOR_MEDIA", f"{path}.technique",
                   f"{m.technique} does not sanitise {m.media_type} media")
        return
    if m.level.rank > reachable.rank:
        if m.media_type is MediaType.MAGNETIC and m.technique is Technique.OVERWRITE:
            ctx.refuse("CN_MAGNETIC_OVERWRITE_PASSES", f"{path}.passes")
        else:
            ctx.refuse("LEVEL_OVERSTATED", f"{path}.level",
                       f"{m.technique} on {m.media_type} media reaches {reachable}, not {m.level}")
    required = REQUIRED_LEVEL[destination]
    if m.level.rank < required.rank:
        ctx.refuse("LEVEL_BELOW_REQUIRED", f"{path}.level",
                   f"{destination} needs {required} or higher; this medium is {m.level}")


def _check_verification(m: Medium, path: str, ctx: RuleContext) -> None:
    if m.verification_method is VerificationMethod.NONE:
        ctx.refuse("VERIFICATION_NONE", f"{path}.verification_method")
    elif (m.verification_method is VerificationMethod.VISUAL_INSPECTION) != \
            (m.technique is Technique.PHYSICAL_DESTRUCTION):
        ctx.refuse("VERIFICATION_METHOD_INVALID", f"{path}.verification_method")
    if m.verification_result is not VerificationResult.PASSED:
        ctx.refuse("VERIFICATION_FAILED", f"{path}.verification_result")
    if m.outcome is not Outcome.ERASED:
        ctx.refuse("OUTCOME_NOT_CLEAN", f"{path}.outcome")


def _check_times(m: Medium, path: str, ctx: RuleContext) -> None:
    if m.started_at.tzinfo is None or m.completed_at.tzinfo is None:
        ctx.refuse("TIMING_IMPLAUSIBLE", f"{path}.started_at", "times must carry a timezone")
        return
    if m.completed_at < m.started_at:
        ctx.refuse("TIMING_IMPLAUSIBLE", f"{path}.completed_at", "the wipe ends before it starts")
    if m.completed_at > ctx.now + CLOCK_SKEW:
        ctx.refuse("TIMING_IMPLAUSIBLE", f"{path}.completed_at", "the wipe ends in the future")
    if ctx.custody_started_at is None and ctx.custody_required:
        ctx.refuse("CUSTODY_MISSING", f"{path}.started_at")
    elif ctx.custody_started_at is not None and m.started_at < ctx.custody_started_at:
        ctx.refuse("WIPE_BEFORE_CUSTODY", f"{path}.started_at",
                   f"the wipe started {m.started_at.isoformat()}, before custody began "
                   f"{ctx.custody_started_at.isoformat()}")


def _check_locks(draft: Draft, ctx: RuleContext) -> None:
    for name in ("activation_lock", "frp", "mdm"):
        if getattr(draft.locks, name) in _LOCKED:
            ctx.refuse("LOCKS_NOT_REMOVED", f"locks.{name}",
                       f"{name} is {getattr(draft.locks, name)}; it must be removed or absent")


def _check_people(draft: Draft, ctx: RuleContext) -> None:
    for role in ("technician", "validator"):
        person = getattr(draft, role)
        if person.user_id in ctx.seller_ids or \
                (person.organization_id and person.organization_id in ctx.seller_org_ids):
            ctx.refuse("SELF_CERTIFICATION", f"{role}.user_id")
    if draft.validator.user_id == draft.technician.user_id:
        ctx.refuse("VALIDATOR_NOT_INDEPENDENT", "validator.user_id")


def codes(refusals: Iterable[Refusal]) -> set[str]:
    return {r.code for r in refusals}
