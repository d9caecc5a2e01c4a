"""Category attributes: what each category requires, and the check-digit rules behind them.

Pure functions returning {field: [messages]} so that the HTTP layer can report every problem
at once, field by field.
"""
from __future__ import annotations

from datetime import date

from services import contact_details, identifiers, regions
from services.listings import attributes
from services.listings.models import Category
# Re-exported: other domains read the listing vocabulary from here.
from services.listings.vocabulary import (  # noqa: F401
    APPLIANCE_KINDS, DATA_BEARING_KINDS, DECLARABLE_KINDS, ELECTRONICS_KINDS, EMISSION_STANDARDS, IMEI_KINDS,
    IMEI_REQUIRED_KINDS, VEHICLE_POWERTRAINS, WATER_GRADED)
from services.remanufacturing import interface as grading

MAX_PRICE_FEN = 100_000_000_00  # 100 million yuan: above any second-hand car on sale


def _need(attrs: dict, errors: dict, category: Category) -> None:
    # What a category requires is declared once, in services/listings/attributes.py.
    for a in attributes.FIELDS[category]:
        if a.required and attrs.get(a.name) in (None, ""):
            errors.setdefault(a.name, []).append("Missing data for required field.")


def vehicle(attrs: dict, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    _need(attrs, errors, Category.VEHICLE)
    vin = attrs.get("vin")
    if vin:
        v = identifiers.normalise(vin)
        if not identifiers.VIN_RE.match(v):
            errors.setdefault("vin", []).append("VIN must be 17 characters of A-Z and 0-9 without I, O or Q.")
        elif not identifiers.vin_ok(v):
            errors.setdefault("vin", []).append("VIN check digit (position 9) is wrong.")
    frd = attrs.get("first_registration_date")
    if isinstance(frd, date) and frd > today:
        errors.setdefault("first_registration_date", []).append("Cannot be in the future.")
    if attrs.get("powertrain") in ("bev", "fcev") and attrs.get("displacement_l"):
        errors.setdefault("displacement_l", []).append("An electric powertrain has no displacement.")
    rr = attrs.get("registration_region")
    if rr and not regions.exists(rr):
        errors.setdefault("registration_region", []).append("Unknown GB/T 2260 region code.")
    return errors


def appliance(attrs: dict, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    _need(attrs, errors, Category.APPLIANCE)
    if attrs.get("water_grade") is not None and attrs.get("kind") not in WATER_GRADED:
        errors.setdefault("water_grade", []).append(
            f"Water efficiency grade applies only to {', '.join(WATER_GRADED)}.")
    year = attrs.get("year")
    if year is not None and year > today.year:
        errors.setdefault("year", []).append("Cannot be in the future.")
    return errors


def stores_personal_data(kind: str | None, attrs: dict) -> bool:
    """Whether an electronics item of this kind and attributes can hold its owner's data: the
    listing then needs its identifier and a wipe certificate."""
    if kind in DECLARABLE_KINDS or kind not in DATA_BEARING_KINDS:
        return attrs.get("has_storage") is not False
    return True


def identifier_errors(kind: str | None, attrs: dict, *, imei: bool, serial: bool) -> dict:
    """{field: [message]} when a data-bearing item lacks its identifier: the IMEI where the device
    has one (always for a phone), else the serial number. `imei`/`serial` say which are known."""
    if not stores_personal_data(kind, attrs) or (serial and kind not in IMEI_REQUIRED_KINDS):
        return {}
    if kind in IMEI_REQUIRED_KINDS:
        return {} if imei else {"imei": ["A mobile phone needs its IMEI."]}
    if imei:
        return {}
    label = (kind or "device").replace("_", " ")
    if kind in IMEI_KINDS:
        return {"imei": [f"A {label} needs its IMEI or, without a cellular modem, its serial "
                         "number (it stores personal data and is sold only with a wipe certificate)."]}
    hint = " or declare has_storage: false" if kind in DECLARABLE_KINDS or kind not in DATA_BEARING_KINDS else ""
    return {"serial_number": [f"A {label} stores personal data: give its serial number{hint} "
                              "(it is sold only with a wipe certificate)."]}


def electronics(attrs: dict, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    _need(attrs, errors, Category.ELECTRONICS)
    kind = attrs.get("kind")
    if attrs.get("has_storage") is False and kind in DATA_BEARING_KINDS:
        errors.setdefault("has_storage", []).append(
            f"A {kind.replace('_', ' ')} always stores data; only {', '.join(DECLARABLE_KINDS)} "
            "can be declared without storage.")
    imei = attrs.get("imei")
    if imei:
        v = identifiers.normalise(imei)
        if not v.isdigit() or len(v) != 15:
            errors.setdefault("imei", []).append("IMEI must be 15 digits.")
        elif not identifiers.luhn_ok(v):
            errors.setdefault("imei", []).append("IMEI check digit (Luhn) is wrong.")
    if imei and attrs.get("kind") not in IMEI_KINDS:
        errors.setdefault("imei", []).append(f"Only {', '.join(IMEI_KINDS)} have an IMEI.")
    for k, msgs in identifier_errors(kind, attrs, imei=bool(imei),
                                     serial=bool(attrs.get("serial_number"))).items():
        errors.setdefault(k, []).extend(msgs)
    return errors


CHECKS = {Category.VEHICLE: vehicle, Category.APPLIANCE: appliance,
          Category.ELECTRONICS: electronics, Category.OTHER: lambda a, t: {}}


def class_and_grade_errors(data: dict, cat: Category | None) -> dict:
    """The legal class agrees with the condition (再制造 both or neither), refurbished electronics
    carry a grade, and a grade has the inspection facts behind it."""
    errors: dict[str, list[str]] = {}
    klass, condition = data.get("legal_class"), data.get("condition")
    if klass is not None and condition is not None and (klass == "remanufactured") != (condition == "remanufactured"):
        errors["legal_class"] = ["Remanufactured (再制造) is both the legal class and the condition, or neither."]
    electronics = cat == Category.ELECTRONICS
    if klass == "refurbished" and electronics and not data.get("cosmetic_grade"):
        errors["cosmetic_grade"] = ["Refurbished (翻新) electronics carry a cosmetic grade with its inspection facts."]
    errors.update(grading.grade_errors(data.get("cosmetic_grade"), data.get("inspection"), electronics=electronics))
    return errors


def listing_errors(data: dict, today: date) -> dict:
    """Every field error of a listing payload (top level and `attributes.*`)."""
    errors: dict[str, list[str]] = {}
    cat = Category(data["category"]) if data.get("category") else None
    rc = data.get("region_code")
    if rc is not None and not regions.exists(rc):
        errors["region_code"] = ["Unknown GB/T 2260 region code."]
    # A remanufactured listing's catalogue entry and warranty are checked against the catalogue
    # by the service (services.remanufacturing.claim_for_listing), which needs the database.
    errors.update(class_and_grade_errors(data, cat))
    price = data.get("price_fen")
    if price is not None and not (0 < price <= MAX_PRICE_FEN):
        errors["price_fen"] = [f"Must be between 1 and {MAX_PRICE_FEN} fen."]
    if (data.get("lat") is None) != (data.get("lon") is None):
        errors["lat"] = ["lat and lon go together."]
    # Buyers and sellers talk on the platform (escrow, inspection, disputes): free text carrying a
    # phone number, WeChat/QQ id, link or email is refused, naming what was found.
    errors.update(contact_details.field_errors(title=data.get("title"), description=data.get("description")))
    if cat is not None and "attributes" in data:
        for k, msgs in CHECKS[cat](data.get("attributes") or {}, today).items():
            errors[f"attributes.{k}"] = msgs
    return errors
