from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from services.certificates.draft import (Destination, DeviceKind, HiddenAreas, Level, Locks,
                                         LockState, MediaType, Outcome, Person, Technique, Tool,
                                         VerificationMethod, VerificationResult)
from services.certificates.rules import (RULES, CertificationRefused, check, enforce,
                                         reachable_level)
from tests.factories.certificates import (CUSTODY_START, IMEI_1, LUHN_BAD_IMEI, NOW, WIPE_START,
                                          context, hdd_medium, phone_draft, phone_medium)


def _codes(draft, ctx=None):
    return {r.code for r in check(draft, ctx or context())}


def test_the_factory_draft_is_certifiable():
    assert check(phone_draft(), context()) == []
    assert check(phone_draft(device_kind=DeviceKind.LAPTOP, imeis=[], serial="C02XK1ABJGH5",
                              media=[hdd_medium()]), context()) == []


# (id, draft overrides, medium overrides, context overrides, expected code)
CASES = [
    ("luhn-invalid IMEI", {"imeis": [LUHN_BAD_IMEI]}, {}, {}, "IMEI_INVALID"),
    ("IMEISV given as IMEI", {"imeis": [IMEI_1 + "2"]}, {}, {}, "IMEI_INVALID"),
    ("letters in IMEI", {"imeis": ["49015420323751A"]}, {}, {}, "IMEI_INVALID"),
    ("phone without IMEI", {"imeis": []}, {}, {}, "IMEI_MISSING"),
    ("same IMEI twice, written differently",
     {"imeis": [IMEI_1, "49-0154 2032 37518"]}, {}, {}, "IMEI_DUPLICATE"),
    ("no identifier at all", {"device_kind": DeviceKind.TABLET, "imeis": [], "serial": None},
     {}, {}, "IDENTIFIER_MISSING"),
    ("serial 'Unknown'", {"serial": "Unknown"}, {}, {}, "SERIAL_PLACEHOLDER"),
    ("serial OEM placeholder", {"serial": "To be filled by O.E.M."}, {}, {}, "SERIAL_PLACEHOLDER"),
    ("serial anonymised", {"serial": "XXXXXXXXXXXX"}, {}, {}, "SERIAL_PLACEHOLDER"),
    ("no media", {"media": []}, None, {}, "NO_MEDIA"),
    ("zero capacity", {}, {"capacity_bytes": 0}, {}, "CAPACITY_INVALID"),
    ("clear where purge is required", {},
     {"technique": Technique.FACTORY_RESET, "level": Level.CLEAR}, {}, "LEVEL_BELOW_REQUIRED"),
    ("factory reset claimed as purge", {},
     {"technique": Technique.FACTORY_RESET}, {}, "LEVEL_OVERSTATED"),
    ("overwrite of flash claimed as purge", {},
     {"technique": Technique.OVERWRITE, "passes": 7, "random_passes": 7}, {}, "LEVEL_OVERSTATED"),
    ("recycling needs purge too", {"destination": Destination.RECYCLING},
     {"technique": Technique.OVERWRITE, "level": Level.CLEAR, "passes": 1, "random_passes": 0},
     {}, "LEVEL_BELOW_REQUIRED"),
    ("destruction destination needs destroy", {"destination": Destination.DESTRUCTION}, {}, {},
     "LEVEL_BELOW_REQUIRED"),
    ("block erase on an SD card", {},
     {"media_type": MediaType.FLASH_REMOVABLE, "technique": Technique.BLOCK_ERASE}, {},
     "TECHNIQUE_NOT_VALID_FOR_MEDIA"),
    ("crypto erase without encryption from first use", {},
     {"encrypted_from_first_use": False}, {}, "CE_NOT_ENCRYPTED_FROM_FIRST_USE"),
    ("crypto erase with unknown encryption history", {},
     {"encrypted_from_first_use": None}, {}, "CE_NOT_ENCRYPTED_FROM_FIRST_USE"),
    ("verification none", {}, {"verification_method": VerificationMethod.NONE}, {},
     "VERIFICATION_NONE"),
    ("visual inspection of a logical wipe", {},
     {"verification_method": VerificationMethod.VISUAL_INSPECTION}, {},
     "VERIFICATION_METHOD_INVALID"),
    ("verification failed", {}, {"verification_result": VerificationResult.FAILED}, {},
     "VERIFICATION_FAILED"),
    ("erased with exceptions", {}, {"outcome": Outcome.ERASED_WITH_EXCEPTIONS}, {},
     "OUTCOME_NOT_CLEAN"),
    ("ends before it starts", {}, {"completed_at": WIPE_START - timedelta(seconds=1)}, {},
     "TIMING_IMPLAUSIBLE"),
    ("future-dated", {}, {"completed_at": NOW + timedelta(hours=1)}, {}, "TIMING_IMPLAUSIBLE"),
    ("naive times", {}, {"started_at": datetime(2026, 5, 20, 7)}, {}, "TIMING_IMPLAUSIBLE"),
    ("certificate dated before we took custody", {},
     {"started_at": CUSTODY_START - timedelta(hours=1)}, {}, "WIPE_BEFORE_CUSTODY"),
    ("tool not allowed", {}, {"tool": Tool("nwipe", "0.34")}, {}, "TOOL_NOT_ALLOWED"),
    ("allowed tool, other version", {}, {"tool": Tool("Blancco Mobile Diagnostics & Erasure",
                                                       "7.4.2")}, {}, "TOOL_NOT_ALLOWED"),
    ("activation lock still on",
     {"locks": Locks(LockState.PRESENT, LockState.NOT_PRESENT, LockState.NOT_PRESENT)}, {}, {},
     "LOCKS_NOT_REMOVED"),
    ("MDM state unknown",
     {"locks": Locks(LockState.REMOVED, LockState.NOT_PRESENT, LockState.UNKNOWN)}, {}, {},
     "LOCKS_NOT_REMOVED"),
    ("seller certifies own device", {"technician": Person("seller-9", "卖家", None)}, {}, {},
     "SELF_CERTIFICATION"),
    ("seller validates own device", {"validator": Person("seller-9", "卖家", None)}, {}, {},
     "SELF_CERTIFICATION"),
    ("seller's organisation certifies its own stock",
     {"technician": Person("tech-7", "店员", "org-retailer-9")}, {}, {}, "SELF_CERTIFICATION"),
    ("no intake recorded", {}, {}, {"custody_started_at": None, "custody_required": True},
     "CUSTODY_MISSING"),
    ("technician validates own wipe", {"validator": Person("tech-1", "王工", "org-recycler-1")},
     {}, {}, "VALIDATOR_NOT_INDEPENDENT"),
]

HDD_CASES = [
    ("magnetic overwrite, 1 pass, claimed purge", {"passes": 1, "random_passes": 1},
     "CN_MAGNETIC_OVERWRITE_PASSES"),
    ("magnetic overwrite, 3 passes none random", {"passes": 3, "random_passes": 0},
     "CN_MAGNETIC_OVERWRITE_PASSES"),
    ("overwrite without passes", {"passes": None}, "OVERWRITE_PASSES_INVALID"),
    ("more random passes than passes", {"passes": 3, "random_passes": 4},
     "OVERWRITE_PASSES_INVALID"),
    ("hidden area present", {"hidden_areas": HiddenAreas.PRESENT}, "HIDDEN_AREAS_NOT_CLEARED"),
    ("hidden area unknown", {"hidden_areas": HiddenAreas.UNKNOWN}, "HIDDEN_AREAS_NOT_CLEARED"),
    ("block erase on a magnetic disk", {"technique": Technique.BLOCK_ERASE},
     "TECHNIQUE_NOT_VALID_FOR_MEDIA"),
    ("drive without its serial", {"serial": None}, "IDENTIFIER_MISSING"),
    ("drive serial all zeros", {"serial": "0000000000"}, "SERIAL_PLACEHOLDER"),
]


@pytest.mark.parametrize("draft_over,medium_over,ctx_over,code",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_refuses_with_its_code(draft_over, medium_over, ctx_over, code):
    if medium_over is not None:
        draft_over = {"media": [phone_medium(**medium_over)], **draft_over}
    with pytest.raises(CertificationRefused) as info:
        enforce(phone_draft(**draft_over), context(**ctx_over))
    assert code in info.value.codes
    refusal = next(r for r in info.value.refusals if r.code == code)
    assert refusal.message and refusal.path
    assert info.value.status == 422
    assert {"code": code, "message": refusal.message, "path": refusal.path} in \
        info.value.extra["refusals"]


@pytest.mark.parametrize("medium_over,code", [c[1:] for c in HDD_CASES],
                         ids=[c[0] for c in HDD_CASES])
def test_each_drive_rule_refuses_with_its_code(medium_over, code):
    draft = phone_draft(device_kind=DeviceKind.DRIVE, imeis=[], serial="WD-WCC4N1234567",
                        media=[hdd_medium(**medium_over)])
    assert code in _codes(draft)


def test_every_rule_code_is_exercised():
    exercised = {c[-1] for c in CASES} | {c[-1] for c in HDD_CASES}
    # raised by the registry, not by the pure rules: see tests/integration/certificates
    exercised.add("CERTIFICATE_FOR_OTHER_DEVICE")
    assert exercised == set(RULES)


def test_several_breaks_are_all_reported_in_order():
    draft = phone_draft(imeis=[LUHN_BAD_IMEI], media=[
        phone_medium(verification_method=VerificationMethod.NONE),
        phone_medium(technique=Technique.FACTORY_RESET, level=Level.CLEAR)])
    refusals = check(draft, context())
    assert [(r.code, r.path) for r in refusals] == [
        ("IMEI_INVALID", "imeis[0]"),
        ("VERIFICATION_NONE", "media[0].verification_method"),
        ("LEVEL_BELOW_REQUIRED", "media[1].level"),
    ]


def test_full_width_and_spaced_imeis_are_accepted():
    assert _codes(phone_draft(imeis=["４９０１５４２０３２３７５１８", "35-693803 5643809"])) == set()


def test_an_sd_card_left_in_a_phone_must_be_destroyed_for_resale():
    card = phone_medium(media_type=MediaType.FLASH_REMOVABLE, interface="microsd",
                        technique=Technique.OVERWRITE, level=Level.CLEAR, passes=1,
                        random_passes=0, removable=True)
    assert "LEVEL_BELOW_REQUIRED" in _codes(phone_draft(media=[phone_medium(), card]))
    destroyed = replace(card, technique=Technique.PHYSICAL_DESTRUCTION, level=Level.DESTROY,
                        verification_method=VerificationMethod.VISUAL_INSPECTION)
    assert _codes(phone_draft(media=[phone_medium(), destroyed])) == set()


def test_block_erase_purges_flash_and_the_cn_passes_purge_magnetic():
    assert _codes(phone_draft(media=[phone_medium(technique=Technique.BLOCK_ERASE,
                                                  encrypted_from_first_use=None)])) == set()
    assert reachable_level(hdd_medium(passes=3, random_passes=1)) is Level.PURGE
    assert reachable_level(hdd_medium(passes=2, random_passes=2)) is Level.CLEAR


def test_without_custody_or_seller_those_rules_are_silent():
    draft = phone_draft(technician=Person("seller-9", "x"),
                        media=[phone_medium(started_at=CUSTODY_START - timedelta(days=9))])
    assert _codes(draft, context(custody_started_at=None, seller_ids=set())) == set()
