"""The certificate summary buyers see where they look: on a listing (one, the index, search hits).

Denormalised onto `listings.wipe_certificate` (plain JSON) when the gate passes, when a
certificate is issued for a listed device and when it is revoked, so the hot listing reads stay
one query with no join per row. Writing the listing row bumps its revision and search outbox
(services/listings/models.py), so the search document's `certified` flag follows.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.accounts.models import Organization
from services.listings.models import Listing, Status as ListingStatus

from . import document
from .draft import Level
from .models import CertStatus, WipeCertificate


def level(cert: WipeCertificate) -> str:
    """The certificate's assurance: the weakest level among its media (a device is only as
    sanitised as its least sanitised medium)."""
    levels = [Level(m["level"]) for m in cert.payload.get("media", [])]
    return min(levels, key=lambda lv: lv.rank).value if levels else Level.CLEAR.value


def of(session: Session, cert: WipeCertificate, status: str | None = None) -> dict:
    """{id, status, level, organisation, issued_at}: what a listing shows of its certificate
    (`status` overrides the registry's, e.g. "revoked" when its signing key was revoked). The
    verification link is built from the id at the HTTP edge."""
    org = session.get(Organization, cert.org_id) if cert.org_id else None
    return {"id": str(cert.id), "status": status or getattr(cert.status, "value", cert.status),
            "level": level(cert), "organisation": org.name if org else None,
            "issued_at": document.utc_text(cert.issued_at)}


def show_on_listing(session: Session, listing: Listing, cert: WipeCertificate) -> None:
    """Put the certificate's summary on one listing (no write when it is already there)."""
    shown = of(session, cert)
    if listing.wipe_certificate != shown:
        listing.wipe_certificate = shown


def refresh_listings(session: Session, hashes: Iterable[str], cert: WipeCertificate,
                     status: str | None = None) -> int:
    """Show `cert` (just issued, superseding or revoked) on every listing of the device with these
    identifier hashes; returns how many listings changed. Row-locked, so a concurrent edit of the
    same listing waits rather than writing an older summary back."""
    hashes = set(hashes)
    if not hashes:
        return 0
    shown = of(session, cert, status)
    listings = session.scalars(select(Listing).where(or_(
        Listing.device_hash.in_(hashes), Listing.serial_hash.in_(hashes))).with_for_update()).all()
    changed = 0
    for listing in listings:
        if listing.status == ListingStatus.SOLD and (listing.wipe_certificate or {}).get("id") != shown["id"]:
            continue   # a sold listing keeps the certificate it was sold with (its status still follows)
        if listing.wipe_certificate != shown:
            listing.wipe_certificate = shown
            changed += 1
    session.flush()
    return changed


def sold_with(session: Session, cert: WipeCertificate, hashes: Iterable[str | None], *,
              exclude_listing_id=None) -> bool:
    """Whether a sale of the device (with these identifier hashes) was completed with `cert`
    shown (a sold listing keeps the certificate it was sold with): the buyer has used the device
    since that wipe."""
    hashes = {h for h in hashes if h}
    if not hashes:
        return False
    stmt = select(Listing.id).where(or_(Listing.device_hash.in_(hashes), Listing.serial_hash.in_(hashes)),
                                    Listing.status == ListingStatus.SOLD,
                                    Listing.wipe_certificate["id"].as_string() == str(cert.id))
    if exclude_listing_id is not None:
        stmt = stmt.where(Listing.id != exclude_listing_id)
    return session.scalar(stmt.limit(1)) is not None


def revoke_key_on_listings(session: Session, kid: str) -> int:
    """A revoked signing key revokes what it signed: its current certificates show as revoked
    on their devices' listings (the registry rows keep their status; verification says why)."""
    certs = session.scalars(select(WipeCertificate).where(
        WipeCertificate.kid == kid, WipeCertificate.status == CertStatus.VALID)).all()
    return sum(refresh_listings(session, {i.id_hash for i in c.identifiers if i.current}, c,
                                status=CertStatus.REVOKED.value) for c in certs)

