"""What a pickup carries: item categories and kinds, their bulk budget, identifiers hashed.

Only appliances count against a slot's volume and weight budget (the issue's "bulky
appliances"); electronics ride along and a vehicle is towed, so both count as the pickup only.
"""
from __future__ import annotations

from services import identifiers
from services.errors import ValidationFailed
from services.listings.interface import APPLIANCE_KINDS, ELECTRONICS_KINDS

CATEGORIES = ("appliance", "electronics", "vehicle", "other")
VEHICLE_KINDS = ("passenger_car", "motorcycle", "light_truck", "other")
KINDS = {"appliance": APPLIANCE_KINDS, "electronics": ELECTRONICS_KINDS, "vehicle": VEHICLE_KINDS,
         "other": ("other",)}
MAX_ITEMS = 20

# Typical packed volume (litres) and weight (kg) per appliance, for the budget when the caller
# gives none. Rounded up from common Chinese market models.
APPLIANCE_BULK = {
    "refrigerator": (450, 70), "washing_machine": (300, 65), "television": (120, 20),
    "air_conditioner": (200, 50), "computer": (60, 10), "water_heater": (120, 25),
    "cooktop": (40, 12), "range_hood": (100, 20), "microwave_oven": (50, 12),
    "water_purifier": (30, 8), "dishwasher": (200, 45), "rice_cooker": (15, 4), "other": (100, 20),
}


def normalise(items: list[dict], hasher: identifiers.IdHasher) -> list[dict]:
    """Checked items with their budget share; VINs and IMEIs replaced by keyed hash (`hasher`) + last four."""
    if not items:
        raise ValidationFailed("at least one item", fields={"items": ["At least one item."]})
    if len(items) > MAX_ITEMS:
        raise ValidationFailed("too many items", fields={"items": [f"At most {MAX_ITEMS} items."]})
    out, errors = [], {}
    for n, raw in enumerate(items):
        cat, kind = raw.get("category"), raw.get("kind") or "other"
        if cat not in CATEGORIES:
            errors[f"items.{n}.category"] = [f"One of: {', '.join(CATEGORIES)}."]
            continue
        if kind not in KINDS[cat]:
            errors[f"items.{n}.kind"] = [f"One of: {', '.join(KINDS[cat])}."]
            continue
        item = {"category": cat, "kind": kind, "listing_id": raw.get("listing_id"),
                "description": (raw.get("description") or "")[:200],
                "device_hash": None, "device_last4": None, "volume_l": 0, "weight_kg": 0}
        if cat == "appliance":
            vol, kg = APPLIANCE_BULK.get(kind, APPLIANCE_BULK["other"])
            item["volume_l"] = raw.get("volume_l") or vol
            item["weight_kg"] = raw.get("weight_kg") or kg
        ident = raw.get("vin") if cat == "vehicle" else raw.get("imei")
        if ident:
            ok = identifiers.vin_ok(ident) if cat == "vehicle" else identifiers.imei_ok(ident)
            if not ok:
                errors[f"items.{n}.{'vin' if cat == 'vehicle' else 'imei'}"] = ["Check digit does not match."]
                continue
            item["device_hash"] = hasher.hash(ident, purpose="device")
            item["device_last4"] = identifiers.last4(ident)
        out.append(item)
    if errors:
        raise ValidationFailed("invalid items", fields=errors)
    if "vehicle" in categories(out) and len(categories(out)) > 1:
        # A scrapped car is towed to a dismantler; other goods go another way.
        raise ValidationFailed("a vehicle is picked up on its own", code="vehicle_alone",
                               fields={"items": ["Book vehicles separately from other items."]})
    return out


def categories(items: list[dict]) -> set[str]:
    return {i["category"] for i in items}


def budget(items: list[dict]) -> tuple[int, int]:
    """(volume_l, weight_kg) the items take from a slot's bulk budget."""
    return sum(i["volume_l"] for i in items), sum(i["weight_kg"] for i in items)


def parse_query_items(values: list[str]) -> list[dict]:
    """'appliance:refrigerator' strings from a query string -> item dicts."""
    out = []
    for v in values:
        cat, _, kind = v.partition(":")
        out.append({"category": cat.strip(), "kind": kind.strip() or "other"})
    return out
