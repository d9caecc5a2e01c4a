"""A published listing stays what was approved.

A price cut (or a rise within the threshold) and the `negotiable` flag apply at once, with the
price history and the search outbox following as for any edit. Every other material change
(title, description, photos, identifiers, attributes, condition, place, a larger price rise) is
held in one pending revision per listing while the approved version stays on sale; an operator
approves it (applied in one transaction, publish gates re-run, audited) or rejects it with a
reason. Drafts, listings under review and rejected or withdrawn ones are edited directly.

Every function here locks the listing row first, so edits, photo changes and decisions on the
same listing are serialised and a decision never applies a half-written revision.
"""
from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, identifiers, pagination
from services.accounts.models import User
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from services.listings import fields, service
from services.listings.gates import PublishGate, check_publish
from services.listings.models import (Listing, ListingPhoto, ListingRevision, PriceChange, RevisionStatus,
                                      Status)
from services.storage import Storage

# Fields a seller sends that change what the buyer is promised (the price is judged separately).
MATERIAL_FIELDS = ("title", "description", "condition", "remanufacturer", "reman_cert_no", "reman_entry_id",
                   "warranty_months", "legal_class", "cosmetic_grade", "inspection", "region_code", "lat", "lon")
# Listing columns that `attributes` sets (identifiers only as hash and last four).
ATTRIBUTE_COLUMNS = ("kind", *fields.TYPED, "attributes", "device_hash", "device_last4", "serial_hash",
                     "serial_last4")
DEFAULT_PRICE_RISE_REVIEW_PCT = 10


@dataclass(frozen=True)
class EditResult:
    listing: Listing
    revision: ListingRevision | None  # the pending revision this edit created or amended


def price_rise_needs_review(approved_fen: int, new_fen: int, rise_review_pct: int) -> bool:
    """Whether `new_fen` is more than `rise_review_pct` percent above the approved price (integer
    arithmetic: no rounding at the boundary)."""
    return new_fen * 100 > approved_fen * (100 + rise_review_pct)


def _plain(value):
    if isinstance(value, uuid.UUID):  # reman_entry_id: revisions keep JSON
        return str(value)
    return value.value if isinstance(value, enum.Enum) else value


def shown(values: dict) -> dict:
    """Revision values as the seller and operators see them: identifiers masked, never hashed."""
    out = {}
    for k, v in values.items():
        if k in ("device_hash", "serial_hash"):
            continue
        if k in ("device_last4", "serial_last4"):
            out[k.replace("_last4", "_masked")] = identifiers.mask(v)
        else:
            out[k] = v
    return out


def current_values(rev: ListingRevision) -> dict:
    """The live listing's values of the fields the revision changes, for a side-by-side review."""
    return shown({k: _plain(getattr(rev.listing, k)) for k in rev.changes})


def _managed(session: Session, actor: User, listing_id) -> Listing:
    listing = service._for_update(session, listing_id)
    if not service.can_manage(actor, listing):
        raise NotFound("no such listing") if not service.can_view(actor, listing) else Forbidden("not your listing")
    return listing


def _pending(session: Session, listing_id) -> ListingRevision | None:
    return session.scalar(select(ListingRevision).where(ListingRevision.listing_id == listing_id,
                                                        ListingRevision.status == RevisionStatus.PENDING))


def _pending_or_new(session: Session, actor: User, listing: Listing) -> ListingRevision:
    rev = _pending(session, listing.id)
    if rev is None:
        rev = ListingRevision(id=uuid.uuid4(), listing_id=listing.id, proposed_by=actor.id,
                              status=RevisionStatus.PENDING, changes={}, removed_photo_ids=[],
                              base_revision=listing.revision)
        session.add(rev)
        session.flush()
    rev.proposed_by, rev.base_revision = actor.id, listing.revision
    return rev


def _split(listing: Listing, data: dict, rise_review_pct: int,
           hasher: identifiers.IdHasher) -> tuple[dict, dict, set]:
    """(applied at once, held for review, fields the edit set back to the live value)."""
    now, held, same = {}, {}, set()
    if "negotiable" in data:
        now["negotiable"] = data["negotiable"]
    # Shipping terms apply at once, like `negotiable`: an order fixes them when it is placed.
    for field in ("shipping_fee_fen", "free_shipping"):
        if field in data:
            now[field] = data[field]
    if "price_fen" in data:
        price = data["price_fen"]
        approved = listing.approved_price_fen
        if price == listing.price_fen:
            same.add("price_fen")
        elif price < listing.price_fen or not price_rise_needs_review(approved, price, rise_review_pct):
            now["price_fen"] = price
        else:
            held["price_fen"] = price
    proposed = {f: data[f] for f in MATERIAL_FIELDS if f in data}
    if "attributes" in data:
        # The attributes as the listing would store them, computed on a detached copy.
        scratch = Listing(category=listing.category, device_hash=listing.device_hash,
                          device_last4=listing.device_last4, serial_hash=listing.serial_hash,
                          serial_last4=listing.serial_last4)
        service._apply_attributes(scratch, listing.category, data["attributes"], hasher)
        proposed.update({c: getattr(scratch, c) for c in ATTRIBUTE_COLUMNS})
    for field, value in proposed.items():
        if _plain(value) == _plain(getattr(listing, field)):
            same.add(field)
        else:
            held[field] = _plain(value)
    return now, held, same


def _has_content(session: Session, rev: ListingRevision) -> bool:
    return bool(rev.changes or rev.removed_photo_ids or session.scalar(
        select(ListingPhoto.id).where(ListingPhoto.revision_id == rev.id).limit(1)))


def edit(session: Session, actor: User, listing_id, data: dict, *,
         gates: Iterable[PublishGate], rise_review_pct: int = DEFAULT_PRICE_RISE_REVIEW_PCT) -> EditResult:
    """Edit a listing the actor manages. On a published listing, the immediate part applies now
    and the material part is merged into the listing's one pending revision (a field set back to
    its live value leaves the revision; an emptied revision is withdrawn); the public keeps
    seeing the approved version. Any other state is edited directly (service.update_listing)."""
    listing = _managed(session, actor, listing_id)
    if listing.status != Status.PUBLISHED:
        return EditResult(service.update_listing(session, actor, listing_id, data, gates=gates), None)
    service._raise_if_invalid({"category": listing.category.value, **data}, clock.now(session).date())
    data = service.with_reman_claim(session, data, listing)
    if listing.approved_price_fen is None:
        # Published before approved prices were kept (or inserted by the demo seed): the price on
        # sale now is the approved one, fixed before any rise so small rises cannot add up.
        listing.approved_price_fen = listing.price_fen
    now, held, same = _split(listing, data, rise_review_pct, identifiers.hasher(session))
    if "device_hash" in held:
        service._ensure_device_free(session, Listing(id=listing.id, device_hash=held["device_hash"]))
    if held.keys() & {"device_hash", "serial_hash", "attributes", "kind"}:
        # Another device (or other attributes) must pass the publish gates now, as approval would:
        # a seller learns at once that the new IMEI has no wipe certificate, not days later.
        proposed = Listing(id=listing.id, seller_id=listing.seller_id, org_id=listing.org_id,
                           category=listing.category, status=listing.status,
                           **{c: held.get(c, getattr(listing, c)) for c in ATTRIBUTE_COLUMNS})
        check_publish(session, proposed, gates)
    if "price_fen" in now:
        session.add(PriceChange(listing_id=listing.id, old_price_fen=listing.price_fen,
                                new_price_fen=now["price_fen"], changed_by=actor.id))
    for field, value in now.items():
        setattr(listing, field, value)
    rev = _pending(session, listing.id)
    touched = None
    if rev is not None and (same | set(now)) & set(rev.changes):
        # The seller's latest word wins: a price applied now or a field set back leaves the revision.
        rev.changes = {k: v for k, v in rev.changes.items() if k not in same and k not in now}
        touched = rev
    if held:
        rev = _pending_or_new(session, actor, listing)
        rev.changes = {**rev.changes, **held}
        touched = rev
    if touched is not None and not _has_content(session, touched):
        _close(touched, RevisionStatus.WITHDRAWN, actor, "nothing left to review", clock.now(session))
        touched = None
    session.flush()
    return EditResult(listing, touched)


def add_photo(session: Session, storage: Storage, actor: User, listing_id,
              data: bytes) -> tuple[ListingPhoto, ListingRevision | None]:
    """Add a photo; on a published listing it is proposed by the pending revision (returned too)
    and not on show until approved."""
    listing = _managed(session, actor, listing_id)
    if listing.status != Status.PUBLISHED:
        return service.add_photo(session, storage, actor, listing_id, data), None
    rev = _pending_or_new(session, actor, listing)
    return service.add_photo(session, storage, actor, listing_id, data, revision_id=rev.id), rev


def delete_photo(session: Session, storage: Storage, actor: User, photo_id) -> ListingRevision | None:
    """Remove a photo. On a published listing a photo on show is only proposed for removal (the
    pending revision); a photo proposed by the revision is simply dropped."""
    photo = session.get(ListingPhoto, photo_id)
    if photo is None or not service.can_view(actor, photo.listing):
        raise NotFound("no such photo")
    listing = _managed(session, actor, photo.listing_id)
    if listing.status != Status.PUBLISHED or photo.revision_id is not None:
        rev = session.get(ListingRevision, photo.revision_id) if photo.revision_id else None
        service.delete_photo(session, storage, actor, photo_id)
        if rev is not None and not _has_content(session, rev):
            _close(rev, RevisionStatus.WITHDRAWN, actor, "nothing left to review", clock.now(session))
            session.flush()
        return None
    rev = _pending_or_new(session, actor, listing)
    if str(photo.id) not in rev.removed_photo_ids:
        rev.removed_photo_ids = [*rev.removed_photo_ids, str(photo.id)]
    session.flush()
    return rev


def _close(rev: ListingRevision, status: RevisionStatus, actor: User, reason: str | None, at) -> None:
    rev.status, rev.decided_by, rev.decided_at, rev.reason = status, actor.id, at, reason


def _drop_proposed_photos(session: Session, storage: Storage, rev: ListingRevision) -> None:
    photos = list(session.scalars(select(ListingPhoto).where(ListingPhoto.revision_id == rev.id)))
    session.execute(delete(ListingPhoto).where(ListingPhoto.revision_id == rev.id)
                    .execution_options(synchronize_session=False))
    for p in photos:
        session.expunge(p)
        storage.delete(p.storage_key)
    session.expire(rev, ["proposed_photos"])


def _decidable(session: Session, revision_id, target: RevisionStatus) -> tuple[ListingRevision, Listing]:
    rev = session.get(ListingRevision, revision_id)
    if rev is None:
        raise NotFound("no such revision")
    listing = service._for_update(session, rev.listing_id)  # serialises with edits and other decisions
    session.refresh(rev)
    if rev.status != RevisionStatus.PENDING:
        raise InvalidState(rev.status.value, target.value, [])
    return rev, listing


def approve(session: Session, storage: Storage, operator: User, revision_id, reason: str | None = None, *,
            gates: Iterable[PublishGate]) -> ListingRevision:
    """Apply a pending revision to its published listing in one transaction: fields, photos added
    and removed, price history, the approved price; the publish gates and the one-active-listing-
    per-device rule are checked on the result; audited; search follows through the outbox."""
    if not operator.is_operator:
        raise Forbidden("only operators review revisions")
    rev, listing = _decidable(session, revision_id, RevisionStatus.APPROVED)
    if listing.status != Status.PUBLISHED:
        raise Conflict(f"the listing is {listing.status.value}; a revision applies to a published listing",
                       code="listing_not_published")
    before = {k: _plain(getattr(listing, k)) for k in rev.changes}
    changes = dict(rev.changes)
    if "price_fen" in changes and changes["price_fen"] != listing.price_fen:
        session.add(PriceChange(listing_id=listing.id, old_price_fen=listing.price_fen,
                                new_price_fen=changes["price_fen"], changed_by=rev.proposed_by))
    for field, value in changes.items():
        setattr(listing, field, uuid.UUID(value) if field == "reman_entry_id" and value else value)
    if "device_hash" in changes:
        service._ensure_device_free(session, listing)
    check_publish(session, listing, gates)
    removed = [uuid.UUID(i) for i in rev.removed_photo_ids]
    gone = list(session.scalars(select(ListingPhoto).where(ListingPhoto.id.in_(removed),
                                                           ListingPhoto.listing_id == listing.id))) if removed else []
    for p in gone:
        session.delete(p)
    added = list(session.scalars(select(ListingPhoto).where(ListingPhoto.revision_id == rev.id)))
    for p in added:
        p.revision_id = None
    listing.approved_price_fen = listing.price_fen
    listing.updated_at = clock.now(session)  # photos alone are a change too: bump the revision for search
    _close(rev, RevisionStatus.APPROVED, operator, reason, clock.now(session))
    audit.record(session, operator.id, "listing_revision.approve", "listing", listing.id,
                 before={**before, "photos_removed": rev.removed_photo_ids},
                 after={**changes, "photos_added": [str(p.id) for p in added]}, reason=reason)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("another active listing has this VIN or IMEI", code="device_already_listed") from None
    session.expire(listing, ["photos"])
    for p in gone:
        storage.delete(p.storage_key)
    return rev


def reject(session: Session, storage: Storage, operator: User, revision_id, reason: str | None) -> ListingRevision:
    """Refuse a pending revision with a reason (audited); the listing keeps its approved version
    and the photos the revision proposed are deleted."""
    if not operator.is_operator:
        raise Forbidden("only operators review revisions")
    if not reason:
        raise ValidationFailed("a rejection needs a reason", fields={"reason": ["Required when rejecting."]})
    rev, listing = _decidable(session, revision_id, RevisionStatus.REJECTED)
    _drop_proposed_photos(session, storage, rev)
    _close(rev, RevisionStatus.REJECTED, operator, reason, clock.now(session))
    audit.record(session, operator.id, "listing_revision.reject", "listing", listing.id,
                 after={"revision_id": str(rev.id), "changes": rev.changes}, reason=reason)
    session.flush()
    return rev


def withdraw(session: Session, storage: Storage, actor: User, revision_id) -> ListingRevision:
    """The seller takes back their pending revision; the proposed photos are deleted."""
    rev = get(session, actor, revision_id)
    if not service.can_manage(actor, rev.listing):
        raise Forbidden("not your listing")
    rev, _ = _decidable(session, revision_id, RevisionStatus.WITHDRAWN)
    _drop_proposed_photos(session, storage, rev)
    _close(rev, RevisionStatus.WITHDRAWN, actor, None, clock.now(session))
    session.flush()
    return rev


def decide(session: Session, storage: Storage, actor: User, revision_id, action: str,
           reason: str | None = None, *, gates: Iterable[PublishGate]) -> ListingRevision:
    """approve (through the publish `gates`) or reject (operators), withdraw (the seller)."""
    if action == "approve":
        return approve(session, storage, actor, revision_id, reason, gates=gates)
    if action == "reject":
        return reject(session, storage, actor, revision_id, reason)
    if action == "withdraw":
        return withdraw(session, storage, actor, revision_id)
    raise ValidationFailed("unknown action", fields={"action": ["One of approve, reject, withdraw."]})


def get(session: Session, viewer: User, revision_id) -> ListingRevision:
    """A revision, for the listing's managers and operators only."""
    rev = session.get(ListingRevision, revision_id)
    if rev is None or not (viewer.is_operator or service.can_manage(viewer, rev.listing)):
        raise NotFound("no such revision")
    return rev


def for_listing(session: Session, viewer: User, listing_id) -> list[ListingRevision]:
    """Every revision of a listing, newest first, for its managers and operators."""
    listing = service.get(session, listing_id, viewer)
    if not (viewer.is_operator or service.can_manage(viewer, listing)):
        raise Forbidden("only the seller and operators see revisions")
    return list(session.scalars(select(ListingRevision).where(ListingRevision.listing_id == listing.id)
                                .order_by(ListingRevision.created_at.desc(), ListingRevision.id.desc())))


def queue(session: Session, operator: User, *, status: RevisionStatus, cursor: str | None, limit: int):
    """The operators' review queue: revisions in `status`, newest first, cursor-paged."""
    if not operator.is_operator:
        raise Forbidden("only operators review revisions")
    stmt = select(ListingRevision).where(ListingRevision.status == status)
    return pagination.page(session, stmt, ListingRevision, cursor, limit)
