"""Evidence owned by other domains (data-wipe certificates, recycling vouchers), read through
small functions that return None when the record does not exist."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.certificates.models import CertificateIdentifier, WipeCertificate
from services.pickups.interface import voucher_for


def wipe_certificate(session: Session, *, certificate_id: str | None = None,
                     old_device_hash: str | None = None) -> dict | None:
    """The data-wipe certificate of the old device: by id, else the device's current one."""
    cert = None
    if certificate_id:
        try:
            cert = session.get(WipeCertificate, uuid.UUID(str(certificate_id)))
        except ValueError:
            cert = None
    elif old_device_hash:
        cert_id = session.scalar(select(CertificateIdentifier.certificate_id).where(
            CertificateIdentifier.id_hash == old_device_hash, CertificateIdentifier.current.is_(True)))
        cert = session.get(WipeCertificate, cert_id) if cert_id else None
    if cert is None:
        return None
    return {"id": str(cert.id), "status": getattr(cert.status, "value", str(cert.status)),
            "issued_at": cert.issued_at.isoformat() if cert.issued_at else None}


def find_voucher(session: Session, *, voucher_no: str | None = None, order_id=None,
                 old_device_hash: str | None = None) -> tuple[object | None, str | None]:
    """The pickups domain's voucher (a `services.pickups.VoucherView`) for the old item and what
    found it: the recorded number ("number"), else the order's pickup ("order"), else the old
    device ("device"). (None, None) when there is none."""
    for via, key, value in (("number", "number", (voucher_no or "").strip()), ("order", "order_id", order_id),
                            ("device", "device_hash", old_device_hash)):
        view = voucher_for(session, **{key: value}) if value else None
        if view is not None:
            return view, via
    return None, None


def recycling_voucher(session: Session, *, voucher_no: str | None = None, recycler_name: str | None = None,
                      order_id=None, old_device_hash: str | None = None) -> dict:
    """The old item's recycling voucher, `status` saying how much it is worth:

    - "verified": a voucher the pickups domain issued on collection, found by the number the
      retailer recorded at the till, else by the order (a 送新取旧 pickup booked for it), else by
      the old device's keyed hash; its own number and recycler win over what was typed;
    - "recorded": only what the retailer typed at the till (no such voucher in pickups);
    - "missing": nothing at all.
    Identifiers stay keyed hashes. `electronics` (kind and device hash of each collected
    electronic item, for finding wipe certificates), `voucher_id`, `consumer_id`, `kinds` (of
    every collected item), `items` ((kind, device hash) of each collected item, in the voucher's
    order) and `via` (what found it) are for the service's own checks and never leave it."""
    view, via = find_voucher(session, voucher_no=voucher_no, order_id=order_id, old_device_hash=old_device_hash)
    if view is not None:
        return {"status": "verified", "voucher_no": view.number, "recycler": view.recycler_name,
                "recycled_at": view.collected_at.isoformat(), "facility": view.facility_name,
                "facility_tier": view.facility_tier,
                "scrap_certificate_no": view.scrap_certificate_no if view.is_vehicle else None,
                "deregistered_at": view.deregistered_at.isoformat() if view.deregistered_at else None,
                "electronics": [{"kind": i.get("kind"), "device_hash": i["device_hash"]} for i in view.items
                                if i.get("category") == "electronics" and i.get("device_hash")],
                "voucher_id": view.id, "consumer_id": view.consumer_id, "order_id": view.order_id,
                "kinds": frozenset(i.get("kind") for i in view.items if i.get("kind")),
                "device_hashes": frozenset(i["device_hash"] for i in view.items if i.get("device_hash")),
                "items": tuple((i.get("kind"), i.get("device_hash")) for i in view.items), "via": via}
    status = "recorded" if voucher_no or recycler_name else "missing"
    return {"status": status, "voucher_no": voucher_no, "recycler": recycler_name, "recycled_at": None,
            "facility": None, "facility_tier": None, "scrap_certificate_no": None, "deregistered_at": None,
            "electronics": [], "voucher_id": None, "consumer_id": None, "order_id": None, "kinds": frozenset(),
            "device_hashes": frozenset(), "items": (), "via": "number" if voucher_no else None}
