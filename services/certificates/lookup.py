"""Certificates for the people a device belongs to: the owner's own certificates, and the public
look-up by IMEI or serial that a buyer holding a device (or reading its label) can make.

Neither answer carries a raw identifier: the look-up never echoes what it was given, and both
show certificates through `summary.of` (id, status, level, organisation, date)."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services import identifiers, pagination
from services.identifiers import IdHasher
from services.accounts.models import User
from services.errors import ValidationFailed
from services.listings.models import Listing

from . import document, summary
from .models import CertificateIdentifier, WipeCertificate, WipeRequest
from .verify import check


def _owned_hashes(session: Session, user: User) -> set[str]:
    """Identifier hashes of the devices `user` sells (their listings) or asked to have wiped."""
    found: set[str] = set()
    for row in session.execute(select(Listing.device_hash, Listing.serial_hash)
                               .where(Listing.seller_id == user.id)):
        found.update(h for h in row if h)
    for row in session.execute(select(WipeRequest.device_hash, WipeRequest.serial_hash)
                               .where(WipeRequest.consumer_id == user.id)):
        found.update(h for h in row if h)
    return found


def mine(session: Session, user: User, *, cursor: str | None, limit: int):
    """Every certificate (valid, superseded or revoked, newest first) of a device the caller
    lists for sale or asked a recycler to wipe: ([summary + masked device], next_cursor)."""
    hashes = _owned_hashes(session, user)
    requested = select(WipeRequest.certificate_id).where(
        WipeRequest.consumer_id == user.id, WipeRequest.certificate_id.is_not(None))
    by_device = select(CertificateIdentifier.certificate_id).where(
        CertificateIdentifier.id_hash.in_(hashes or {""}))
    stmt = select(WipeCertificate).where(or_(WipeCertificate.id.in_(by_device),
                                             WipeCertificate.id.in_(requested)))
    rows, nxt = pagination.page(session, stmt, WipeCertificate, cursor, limit, order_col="issued_at")
    return [{**summary.of(session, c), "device": document.masked_summary(c.payload)} for c in rows], nxt


def _hash_of(hasher: IdHasher, imei: str | None, serial: str | None) -> str:
    if bool(imei) == bool(serial):
        raise ValidationFailed("give an IMEI or a serial number",
                               fields={"imei": ["Give exactly one of imei and serial."]})
    if imei:
        value = identifiers.normalise(imei)
        if not identifiers.imei_ok(value):
            raise ValidationFailed("invalid IMEI", fields={"imei": ["15 digits with a valid check digit."]})
        return document.hashed(hasher, value, document.IMEI)["hash"]
    return document.hashed(hasher, serial, document.SERIAL)["hash"]


def lookup(session: Session, *, imei: str | None = None, serial: str | None = None) -> dict:
    """The device's current certificate as anyone may see it: {found, certificate: {id, status,
    level, organisation, issued_at} or None}. Status is re-verified now (signature and key), so
    a tampered or key-revoked certificate does not answer "valid". When the device has no current
    certificate, its latest one is shown (so a buyer sees "revoked" rather than nothing)."""
    shown = for_device(session, {_hash_of(identifiers.hasher(session), imei, serial)})
    return {"found": shown is not None, "certificate": shown}


def for_device(session: Session, id_hashes: set[str], *, issued_since=None) -> dict | None:
    """The summary of the current certificate (else the latest) of the device with any of these
    identifier hashes, its status re-verified now; None when it has none (issued at or after
    `issued_since`, when given: a device's earlier owner's wipe is not this owner's)."""
    id_hashes = {h for h in id_hashes if h}
    if not id_hashes:
        return None
    stmt = (select(CertificateIdentifier.certificate_id)
            .join(WipeCertificate, WipeCertificate.id == CertificateIdentifier.certificate_id)
            .where(CertificateIdentifier.id_hash.in_(id_hashes))
            .order_by(CertificateIdentifier.current.desc(), WipeCertificate.issued_at.desc())
            .limit(1))
    if issued_since is not None:
        stmt = stmt.where(WipeCertificate.issued_at >= issued_since)
    cert_id = session.scalar(stmt)
    if cert_id is None:
        return None
    cert = session.get(WipeCertificate, cert_id)
    shown = summary.of(session, cert)
    shown["status"] = check(session, cert)["status"]
    return shown
