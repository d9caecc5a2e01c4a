"""The identifiers of a traded-in item (IMEI, VIN, serial number): check digits, keyed hashes,
and the blocklist."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services import identifiers
from services.blocklist import interface as blocklist
from services.listings.interface import IMEI_KINDS

# Phones must give an IMEI and cars a VIN: both are what lost/stolen reports are filed under.
IMEI_REQUIRED = ("mobile_phone",)


@dataclass(frozen=True)
class Ids:
    device_hash: str | None = None
    device_last4: str | None = None
    serial_hash: str | None = None
    serial_last4: str | None = None


def device_field(category: str) -> str:
    return "vin" if category == "vehicle" else "imei"


def errors(category: str, kind: str | None, data: dict) -> dict[str, list[str]]:
    """Field errors for imei / vin / serial_number in `data` (a quote or an inspection)."""
    errs: dict[str, list[str]] = {}
    imei, vin, serial = data.get("imei"), data.get("vin"), data.get("serial_number")
    if category == "vehicle":
        if not vin:
            errs["vin"] = ["Missing data for required field."]
        elif not identifiers.VIN_RE.match(identifiers.normalise(vin)):
            errs["vin"] = ["VIN must be 17 characters of A-Z and 0-9 without I, O or Q."]
        elif not identifiers.vin_ok(vin):
            errs["vin"] = ["VIN check digit (position 9) is wrong."]
        if imei:
            errs["imei"] = ["A vehicle has a VIN, not an IMEI."]
    else:
        if vin:
            errs["vin"] = ["Only vehicles have a VIN."]
        if imei:
            v = identifiers.normalise(imei)
            if not v.isdigit() or len(v) != 15:
                errs["imei"] = ["IMEI must be 15 digits."]
            elif not identifiers.luhn_ok(v):
                errs["imei"] = ["IMEI check digit (Luhn) is wrong."]
            elif category != "electronics" or (kind and kind not in IMEI_KINDS):
                errs["imei"] = [f"Only {', '.join(IMEI_KINDS)} have an IMEI."]
        elif category == "electronics" and kind in IMEI_REQUIRED:
            errs["imei"] = ["A mobile phone needs its IMEI (dial *#06#)."]
    if serial is not None:
        s = identifiers.normalise(serial)
        if not (4 <= len(s) <= 40 and s.isalnum()):
            errs["serial_number"] = ["Serial number must be 4 to 40 letters or digits."]
    return errs


def hashed(hasher: identifiers.IdHasher, category: str, data: dict) -> Ids:
    dev = data.get("vin") if category == "vehicle" else data.get("imei")
    serial = data.get("serial_number")
    return Ids(hasher.hash(dev, purpose="device") if dev else None,
               identifiers.last4(dev) if dev else None,
               hasher.hash(serial, purpose="serial") if serial else None,
               identifiers.last4(serial) if serial else None)


def refuse_blocked(session: Session, category: str, ids: Ids) -> None:
    """Raise DeviceBlocked naming `imei`/`vin`/`serial_number` when the item is blocklisted."""
    blocklist.refuse_if_blocked(session, device_hash=ids.device_hash, serial_hash=ids.serial_hash,
                                device_field=device_field(category), serial_field="serial_number",
                                what="traded in")


def blocked_entry(session: Session, *hashes: str | None):
    return blocklist.find(session, list(hashes))
