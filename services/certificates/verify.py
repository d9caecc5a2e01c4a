"""Verification for buyers and the gates that keep uncertified devices off sale.

`require_valid_certificate` is the contract other domains use: the listing publish gate here,
the order capture gate (orders) and the resale gate (trade-in, pickups).
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Conflict, NotFound

from . import document, keys
from .canonical import digest
from .models import CertificateIdentifier, CertStatus, WipeCertificate
from .signing import KeyStatus, SignatureProblem

RESALE = "resale"


class CertificateRequired(Conflict):
    """The device has no valid, current, resale certificate; `code` names the failed rule."""
    code = "wipe_certificate_required"


def check(session: Session, cert: WipeCertificate) -> dict[str, Any]:
    """Signature, key and registry status of one stored certificate."""
    result = keys.verifier_for(session, cert.kid).verify(cert.envelope())
    signature_ok = result.signature_ok and str(cert.id) == cert.payload.get("certificate_id")
    if not signature_ok:
        status, reason = "invalid", (result.problem or SignatureProblem.SIGNATURE_INVALID).value
    elif result.key_status is KeyStatus.REVOKED:
        status, reason = CertStatus.REVOKED.value, f"signing key revoked: {result.revoked_reason}"
    else:
        status, reason = cert.status.value, cert.status_reason
    return {"signature_valid": signature_ok, "kid": cert.kid,
            "key_status": result.key_status.value if result.key_status else None,
            "status": status, "status_reason": reason, "valid": signature_ok and status == "valid"}


def verify(session: Session, certificate_id: uuid.UUID, *, imei: str | None = None,
           serial: str | None = None) -> dict[str, Any]:
    """What the public verify endpoint and page show: verdict, key, status, masked device and,
    when the caller gives an IMEI or serial, whether it is this certificate's device."""
    cert = session.get(WipeCertificate, certificate_id)
    if cert is None:
        raise NotFound("no such certificate")
    out = {"certificate_id": str(cert.id), **check(session, cert),
           "superseded_by": str(cert.superseded_by_id) if cert.superseded_by_id else None,
           "supersedes": str(cert.supersedes_id) if cert.supersedes_id else None,
           "issued_at": cert.issued_at, "digest": digest(cert.envelope()),
           "device": document.masked_summary(cert.payload), "device_match": None}
    if imei or serial:
        out["device_match"] = document.matches(cert.payload, imei=imei or None,
                                               serial=None if imei else serial)
    return out


def require_valid_certificate(session: Session, device_hash: str, *,
                              serial_hash: str | None = None,
                              destination: str = RESALE) -> WipeCertificate:
    """The current certificate for the device with this keyed hash (purpose "device" for an
    IMEI, "serial" for a serial), re-verified now. Raises CertificateRequired unless it exists,
    its signature holds, it and its key are not revoked, it was issued for `destination`, and
    (when `serial_hash` is given) its device serial, if it records one, is that serial."""
    row = session.scalar(select(CertificateIdentifier).where(
        CertificateIdentifier.id_hash == device_hash, CertificateIdentifier.current.is_(True)))
    if row is None:
        raise CertificateRequired("no valid data-wipe certificate for this device",
                                  extra={"rule": "CERTIFICATE_MISSING"})
    cert = session.get(WipeCertificate, row.certificate_id)
    state = check(session, cert)
    if not state["valid"]:
        raise CertificateRequired(f"the device's certificate is {state['status']}",
                                  extra={"rule": "CERTIFICATE_NOT_VALID",
                                         "certificate_id": str(cert.id),
                                         "certificate_status": state["status"]})
    if cert.destination != destination:
        raise CertificateRequired(f"the certificate was issued for {cert.destination}, "
                                  f"not {destination}",
                                  extra={"rule": "LEVEL_BELOW_REQUIRED",
                                         "certificate_id": str(cert.id)})
    recorded_serial = cert.payload["device"].get("serial")
    if serial_hash and recorded_serial and recorded_serial["hash"] != serial_hash:
        raise CertificateRequired("the certificate names another device",
                                  extra={"rule": "CERTIFICATE_FOR_OTHER_DEVICE",
                                         "certificate_id": str(cert.id)})
    return cert


def listing_gate(session: Session, listing) -> None:
    """Publish gate: an electronics listing that names an IMEI or serial needs its certificate."""
    if getattr(listing.category, "value", listing.category) != "electronics":
        return
    if listing.device_hash:
        require_valid_certificate(session, listing.device_hash, serial_hash=listing.serial_hash)
    elif listing.serial_hash:
        require_valid_certificate(session, listing.serial_hash)
