"""The signed certificate document: built from a checked draft, with identifiers hashed.

The document is the record; the PDF and the web page are views of it. It holds keyed hashes
(HMAC-SHA256 under ID_HASH_KEY) and the last four characters of each IMEI and serial, never the
raw values, so neither the registry nor a leaked export can be reversed to a device identity.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from services import identifiers
from services.identifiers import IdHasher

from .draft import Draft, Medium, Person, clean_identifier

SCHEMA = "huanxin.datawipe-certificate/1"
IMEI, SERIAL = "device", "serial"  # hash purposes shared with listings (docs/CONVENTIONS.md)


def utc_text(at: datetime) -> str:
    """Second-precision UTC with a Z: one spelling per instant, so re-serialising is stable."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hashed(hasher: IdHasher, value: str, purpose: str) -> dict[str, str]:
    v = clean_identifier(value)
    return {"hash": hasher.hash(v, purpose=purpose), "last4": v[-4:]}


def _person(p: Person) -> dict[str, Any]:
    return {"user_id": p.user_id, "name": p.name, "organization_id": p.organization_id}


def _medium(hasher: IdHasher, index: int, m: Medium) -> dict[str, Any]:
    return {
        "index": index,
        "media_type": m.media_type.value,
        "interface": m.interface,
        "capacity_bytes": m.capacity_bytes,
        "removable": m.removable,
        "serial": hashed(hasher, m.serial, SERIAL) if m.serial is not None else None,
        "level": m.level.value,
        "technique": m.technique.value,
        "passes": m.passes,
        "random_passes": m.random_passes,
        "encrypted_from_first_use": m.encrypted_from_first_use,
        "hidden_areas": m.hidden_areas.value,
        "tool": {"name": m.tool.name, "version": m.tool.version},
        "verification": {"method": m.verification_method.value,
                         "result": m.verification_result.value},
        "started_at": utc_text(m.started_at),
        "completed_at": utc_text(m.completed_at),
        "outcome": m.outcome.value,
    }


def build(draft: Draft, *, certificate_id: str, issued_at: datetime, hasher: IdHasher,
          supersedes: str | None = None) -> dict[str, Any]:
    """The payload to sign, identifiers keyed-hashed by `hasher`. Call only after rules.enforce()
    passed on the same draft."""
    return {
        "schema": SCHEMA,
        "certificate_id": certificate_id,
        "supersedes": supersedes,
        "issued_at": utc_text(issued_at),
        "device": {
            "kind": draft.device_kind.value,
            "make": draft.make,
            "model": draft.model,
            "imeis": [hashed(hasher, i, IMEI) for i in draft.imeis],
            "serial": hashed(hasher, draft.serial, SERIAL) if draft.serial is not None else None,
        },
        "media": [_medium(hasher, i, m) for i, m in enumerate(draft.media)],
        "locks": {"activation_lock": draft.locks.activation_lock.value,
                  "frp": draft.locks.frp.value, "mdm": draft.locks.mdm.value},
        "destination": draft.destination.value,
        "technician": _person(draft.technician),
        "validator": _person(draft.validator),
        "place": draft.place,
        "custody_event_ids": list(draft.custody_event_ids),
        "outcome": "erased",  # rules refuse anything else; kept so the record reads alone
    }


def device_hashes(payload: Mapping[str, Any]) -> set[str]:
    """Every keyed hash that identifies the device (IMEIs and device serial)."""
    device = payload["device"]
    found = {i["hash"] for i in device.get("imeis", [])}
    if device.get("serial"):
        found.add(device["serial"]["hash"])
    return found


def matches(hasher: IdHasher, payload: Mapping[str, Any], *, imei: str | None = None,
            serial: str | None = None) -> bool:
    """Whether a caller-supplied IMEI or serial is this certificate's device (keyed hashes)."""
    device = payload["device"]
    if imei is not None:
        return any(hasher.matches(i["hash"], clean_identifier(imei), purpose=IMEI)
                   for i in device.get("imeis", []))
    if serial is not None and device.get("serial"):
        return hasher.matches(device["serial"]["hash"], clean_identifier(serial), purpose=SERIAL)
    return False


def masked_summary(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a buyer may see: no hashes, no names, identifiers as ****1234 (abuse case 20)."""
    device = payload["device"]
    return {
        "kind": device["kind"], "make": device["make"], "model": device["model"],
        "imeis": [identifiers.mask(i["last4"]) for i in device.get("imeis", [])],
        "serial": identifiers.mask(device["serial"]["last4"]) if device.get("serial") else None,
        "destination": payload["destination"],
        "issued_at": payload["issued_at"],
        "organization_id": payload["technician"].get("organization_id"),
        "media": [{"media_type": m["media_type"], "capacity_bytes": m["capacity_bytes"],
                   "level": m["level"], "technique": m["technique"],
                   "tool": f'{m["tool"]["name"]} {m["tool"]["version"]}',
                   "verification": m["verification"]["method"],
                   "completed_at": m["completed_at"]} for m in payload["media"]],
        "locks": dict(payload["locks"]),
    }
