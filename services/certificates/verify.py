"""Verification for buyers and the gates that keep uncertified devices off sale.

`device_gate` is the one wipe gate every hand-over uses: listing submit and publish
(`listing_gate`, a publish gate), order capture (orders), trade-in and pickup resale. It decides
per electronics kind whether the device holds personal data (services.listings.validation), then
asks `require_valid_certificate`.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import identifiers

from services.errors import Conflict, NotFound, ValidationFailed
from services.listings.interface import identifier_errors, stores_personal_data

from . import document, keys, summary
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
        out["device_match"] = document.matches(identifiers.hasher(session), cert.payload, imei=imei or None,
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


class IdentifierRequired(ValidationFailed):
    """A data-bearing device has no IMEI or serial on record, so no certificate can match it."""
    code = "device_identifier_required"


def needs_certificate(category, kind: str | None, attributes: dict | None) -> bool:
    """Whether an item must carry a data-wipe certificate to change hands: electronics that can
    hold personal data (every kind except a camera, smart glasses or `other` item that the seller
    declared has no storage)."""
    return getattr(category, "value", category) == "electronics" and \
        stores_personal_data(kind, attributes or {})


def device_gate(session: Session, *, category, kind: str | None, attributes: dict | None,
                device_hash: str | None, serial_hash: str | None,
                field_prefix: str = "attributes.") -> WipeCertificate | None:
    """The wipe gate: None for an item that stores no personal data; otherwise the device's
    valid, current resale certificate. Raises IdentifierRequired (422 naming the missing field)
    when a data-bearing device has no identifier, CertificateRequired (409) when it has no such
    certificate."""
    if not needs_certificate(category, kind, attributes):
        return None
    if device_hash:
        return require_valid_certificate(session, device_hash, serial_hash=serial_hash)
    if serial_hash:
        return require_valid_certificate(session, serial_hash)
    missing = identifier_errors(kind, attributes or {}, imei=False, serial=False) or \
        {"serial_number": ["A device that stores personal data needs its identifier."]}
    raise IdentifierRequired("this device stores personal data: its IMEI or serial number is needed "
                             "to match its data-wipe certificate",
                             fields={f"{field_prefix}{k}": v for k, v in missing.items()})


def require_issued_since(cert: WipeCertificate, since, handover: str) -> WipeCertificate:
    """`cert` unless it was issued before `since`, the moment the device started changing hands
    (`handover` says which): a wipe made for an earlier owner does not erase this owner's data.
    Raises CertificateRequired (rule CERTIFICATE_BEFORE_HANDOVER)."""
    if since is not None and cert.issued_at < since:
        raise CertificateRequired(f"the device's certificate predates the {handover}: wipe it again "
                                  "(a correction of that certificate)",
                                  extra={"rule": "CERTIFICATE_BEFORE_HANDOVER",
                                         "certificate_id": str(cert.id)})
    return cert


def listing_gate(session: Session, listing) -> None:
    """Publish gate (submit and approve): a data-bearing electronics listing needs its identifier
    and its device's certificate, one that no earlier sale of the device was made with; the
    certificate's summary is then shown on the listing."""
    cert = device_gate(session, category=listing.category, kind=listing.kind,
                       attributes=listing.attributes, device_hash=listing.device_hash,
                       serial_hash=listing.serial_hash)
    if cert is not None:
        if summary.sold_with(session, cert, (listing.device_hash, listing.serial_hash),
                             exclude_listing_id=listing.id):
            # The device changed hands since that wipe: its new owner's data is on it now.
            raise CertificateRequired("the device was sold with this certificate since it was wiped: "
                                      "wipe it again (a correction of that certificate)",
                                      extra={"rule": "CERTIFICATE_USED_FOR_A_SALE",
                                             "certificate_id": str(cert.id)})
        summary.show_on_listing(session, listing, cert)
