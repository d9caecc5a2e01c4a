"""Which attributes each category and kind of listing carries, declared once as plain data.

The HTTP edge builds its request schema from these declarations and documents one OpenAPI schema
per category and kind from them (marketplace/api/listings/attributes.py), and
services/listings/validation.py reads which attributes a category requires from them; the
cross-field rules (check digits, which kinds need an IMEI or serial number) live there.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.listings import vocabulary as v
from services.listings.models import Category


@dataclass(frozen=True)
class Attr:
    """One attribute: its JSON type, whether the category requires it, and its bounds."""
    name: str
    type: str  # "string", "integer", "number", "boolean", "date"
    description: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: object = None
    # An identifier is hashed and kept out of the stored attributes: it is in requests only.
    identifier: bool = False


_BRAND = Attr("brand", "string", "Brand (品牌)", True, min_length=1, max_length=60)
_MODEL = Attr("model", "string", "Model name (型号)", True, min_length=1, max_length=80)

FIELDS: dict[Category, tuple[Attr, ...]] = {
    Category.VEHICLE: (
        Attr("vin", "string", "Vehicle identification number (17 characters, check digit in position 9); "
             "stored hashed, shown masked", True, min_length=17, max_length=20, identifier=True),
        Attr("make", "string", "Manufacturer", True, min_length=1, max_length=60),
        Attr("model", "string", "Model name", True, min_length=1, max_length=80),
        Attr("first_registration_date", "date", "Date of first registration (初次登记日期)", True),
        Attr("mileage_km", "integer", "Odometer reading in km", True, minimum=0, maximum=3_000_000),
        Attr("powertrain", "string", "Powertrain: gasoline, diesel, hybrid, bev (battery electric), phev "
             "(plug-in hybrid), erev (extended-range electric), fcev (fuel cell)", True,
             choices=v.VEHICLE_POWERTRAINS),
        Attr("displacement_l", "number", "Engine displacement in litres (none for bev and fcev)",
             minimum=0, maximum=10),
        Attr("emission_standard", "string", "China emission standard (国1 to 国6b)", True,
             choices=v.EMISSION_STANDARDS),
        Attr("registration_region", "string", "GB/T 2260 code of the registering region", True,
             pattern=r"^\d{6}$"),
    ),
    Category.APPLIANCE: (
        Attr("kind", "string", "Kind of appliance", True, choices=v.APPLIANCE_KINDS),
        _BRAND, _MODEL,
        Attr("energy_grade", "integer", "China energy label grade, 1 (best) to 5", True, minimum=1, maximum=5),
        Attr("water_grade", "integer", "Water efficiency grade, 1 (best) to 5 (water-using kinds only)",
             minimum=1, maximum=5),
        Attr("year", "integer", "Year of manufacture", minimum=1980, maximum=2100),
    ),
    Category.ELECTRONICS: (
        Attr("kind", "string", "Kind of device", True, choices=v.ELECTRONICS_KINDS),
        _BRAND, _MODEL,
        Attr("imei", "string", "IMEI (15 digits, Luhn check digit); stored hashed, shown masked",
             min_length=15, max_length=20, identifier=True),
        Attr("serial_number", "string", "Manufacturer's serial number; stored hashed, shown masked",
             min_length=4, max_length=40, identifier=True),
        Attr("storage_gb", "integer", "Storage capacity in GB", minimum=1, maximum=65536),
        Attr("battery_health_pct", "integer", "Battery health in percent of design capacity",
             minimum=0, maximum=100),
        Attr("has_storage", "boolean", "The seller's declaration that a camera, smart glasses or other "
             "item has no storage of its own (then sold without serial number and wipe certificate)"),
    ),
    Category.OTHER: (
        Attr("kind", "string", "What the item is, in a word", default="other", max_length=30),
        Attr("brand", "string", "Brand", max_length=60),
        Attr("model", "string", "Model name", max_length=80),
    ),
}

# The kinds of each category; a vehicle listing is a passenger car and `other` names its own kind.
KINDS: dict[Category, tuple[str, ...]] = {
    Category.VEHICLE: ("passenger_car",),
    Category.APPLIANCE: v.APPLIANCE_KINDS,
    Category.ELECTRONICS: v.ELECTRONICS_KINDS,
    Category.OTHER: ("other",),
}


def applies(category: Category, kind: str, attr: Attr) -> bool:
    """Whether a kind can carry this attribute at all (the validation refuses it otherwise)."""
    if attr.name == "water_grade":
        return kind in v.WATER_GRADED
    if attr.name == "imei":
        return kind in v.IMEI_KINDS
    if attr.name == "has_storage":
        return kind in v.DECLARABLE_KINDS or kind not in v.DATA_BEARING_KINDS
    return True


def required(category: Category, kind: str, attr: Attr) -> bool:
    """Whether a kind must carry this attribute: the category's required ones, and the identifier a
    data-bearing device is always sold with (a phone's IMEI; a laptop's serial number)."""
    if attr.required:
        return True
    if category is not Category.ELECTRONICS or kind in v.DECLARABLE_KINDS:
        return False
    if attr.name == "imei":
        return kind in v.IMEI_REQUIRED_KINDS
    if attr.name == "serial_number":
        return kind in v.DATA_BEARING_KINDS and kind not in v.IMEI_KINDS
    return False


def for_kind(category: Category, kind: str) -> tuple[Attr, ...]:
    """The attributes a listing of this category and kind may carry."""
    return tuple(a for a in FIELDS[category] if applies(category, kind, a))
