"""Listing lifecycle: create, edit (with price history), move through the state machine,
photos, and the atomic reserve/release/sell that orders use."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from services import audit, clock, identifiers, pagination, remanufacturing
from services.accounts.interface import acting_org
from services.accounts.models import Role, User
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings import fields, photos, states, trust
from services.listings.gates import PublishGate, check_publish
from services.listings.models import (ACTIVE_STATES, Category, Listing, ListingPhoto, ListingRevision,
                                      PriceChange, RevisionStatus, SearchOutbox, Status)
from services.listings.validation import listing_errors
from services.storage import Storage, delete_on_commit, put_on_commit

PUBLIC_STATES = (Status.PUBLISHED, Status.RESERVED, Status.SOLD)
# Declared once in services/listings/fields.py with the schemas and serialisers built from them.
SUMMARY_COLUMNS = fields.SUMMARY_COLUMNS
TYPED = fields.TYPED
MAX_PHOTOS = 12


# Built once: statements are immutable and constructing this one costs more than running it.
_SUMMARY_SELECT = select(
    *(getattr(Listing, c) for c in SUMMARY_COLUMNS), Listing.seller_id,
    select(ListingPhoto.id).where(ListingPhoto.listing_id == Listing.id, ListingPhoto.revision_id.is_(None))
    .order_by(ListingPhoto.position)
    .limit(1).scalar_subquery().label("thumbnail_id"))
_BROWSE = pagination.Prepared(_SUMMARY_SELECT, Listing, order_col=fields.ORDER_COLUMN)


def can_manage(user: User | None, listing: Listing) -> bool:
    return bool(user) and (user.id == listing.seller_id or
                           (listing.org_id is not None and listing.org_id in user.org_ids()))


def can_view(user: User | None, listing: Listing) -> bool:
    return listing.status in PUBLIC_STATES or can_manage(user, listing) or bool(user and user.is_operator)


def _apply_attributes(listing: Listing, category: Category, attrs: dict, hasher: identifiers.IdHasher) -> None:
    attrs = dict(attrs)
    ident = attrs.pop("vin", None) or attrs.pop("imei", None)
    serial = attrs.pop("serial_number", None)
    if ident:
        listing.device_hash = hasher.hash(ident, purpose="device")
        listing.device_last4 = identifiers.last4(ident)
    if serial:
        listing.serial_hash = hasher.hash(serial, purpose="serial")
        listing.serial_last4 = identifiers.last4(serial)
    listing.kind = attrs.get("kind") or ("passenger_car" if category == Category.VEHICLE else "other")
    for column, sources in fields.TYPED_SOURCES.items():
        setattr(listing, column, next((attrs[a] for a in sources if attrs.get(a) not in (None, "")), None))
    frd = attrs.get("first_registration_date")
    listing.year = listing.year or (frd.year if isinstance(frd, date) else None)  # a vehicle's year
    listing.attributes = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in attrs.items()}


def _raise_if_invalid(data: dict, today) -> None:
    errors = listing_errors(data, today)
    if errors:
        raise ValidationFailed("invalid listing", fields=errors)


REMAN_FIELDS = ("condition", "reman_entry_id", "warranty_months")


def with_reman_claim(session: Session, data: dict, listing: Listing | None = None) -> dict:
    """`data` with the remanufacturing claim verified against the catalogue when the listing is (or
    becomes) remanufactured: remanufacturer and reman_cert_no then come from the catalogue entry,
    never from the seller's free text. 422 naming the field otherwise (unknown remanufacturer,
    withdrawn entry, missing or short warranty, another model)."""
    if listing is not None and not data.keys() & {*REMAN_FIELDS, "attributes"}:
        return data
    merged = {f: getattr(listing, f) for f in REMAN_FIELDS} if listing is not None else {}
    if listing is not None:
        merged["condition"] = getattr(listing.condition, "value", listing.condition)
    merged.update({f: data[f] for f in REMAN_FIELDS if f in data})
    if merged.get("condition") != "remanufactured":
        return {**data, "remanufacturer": None, "reman_cert_no": None, "reman_entry_id": None} \
            if listing is None or listing.reman_entry_id is not None or "condition" in data else data
    model = (data.get("attributes") or {}).get("model") or (listing.model if listing is not None else None)
    claim = remanufacturing.claim_for_listing(session, merged.get("reman_entry_id"), merged.get("warranty_months"),
                                              model)
    return {**data, "reman_entry_id": claim.entry_id, "warranty_months": claim.warranty_months,
            "remanufacturer": claim.enterprise_name, "reman_cert_no": claim.announcement_no}


def _ensure_device_free(session: Session, listing: Listing) -> None:
    if listing.device_hash is None:
        return
    other = session.scalar(select(Listing.id).where(
        Listing.device_hash == listing.device_hash, Listing.id != listing.id,
        Listing.status.in_(ACTIVE_STATES)))
    if other:
        raise Conflict("another active listing has this VIN or IMEI", code="device_already_listed")


def create(session: Session, seller: User, data: dict) -> Listing:
    """A draft listing owned by the seller, and by the organisation named in `org_id` when the
    seller belongs to it (unnamed: the seller's own organisation when it is the only one they
    belong to; 422 when they belong to several)."""
    if seller.role == Role.OPERATOR:
        raise Forbidden("operators do not sell", code="role_not_allowed")
    _raise_if_invalid(data, clock.now(session).date())
    category = Category(data["category"])
    org_id = None
    if seller.role in (Role.RETAILER, Role.RECYCLER):
        # Never "the first organisation the seller is in": being in someone else's organisation
        # must not file the seller's listings under it (and let it act on their orders).
        org_id = acting_org(seller, data.get("org_id"))
    elif data.get("org_id"):
        raise Forbidden("not a member of that organisation", code="not_a_member")
    data = with_reman_claim(session, data)
    listing = Listing(
        id=uuid.uuid4(), seller_id=seller.id, org_id=org_id, seller_type=seller.role.value,
        category=category, title=data["title"].strip(), description=data.get("description") or "",
        price_fen=data["price_fen"], negotiable=data.get("negotiable", False),
        shipping_fee_fen=data.get("shipping_fee_fen"), free_shipping=data.get("free_shipping", False),
        condition=data["condition"], remanufacturer=data.get("remanufacturer"),
        reman_cert_no=data.get("reman_cert_no"), reman_entry_id=data.get("reman_entry_id"),
        warranty_months=data.get("warranty_months"),
        legal_class=data.get("legal_class") or remanufacturing.grading.legal_class_for(data["condition"]),
        cosmetic_grade=data.get("cosmetic_grade"), inspection=data.get("inspection"), region_code=data["region_code"],
        lat=data.get("lat"), lon=data.get("lon"), status=Status.DRAFT, revision=1)
    _apply_attributes(listing, category, data.get("attributes") or {}, identifiers.hasher(session))
    _inherit_grade(session, listing, data)
    session.add(listing)
    session.flush()
    return listing


def _inherit_grade(session: Session, listing: Listing, data: dict) -> None:
    """A device its organisation graded at a trade-in inspection is listed with that grade and
    those facts (the seller does not retype them, nor claim a better grade)."""
    if listing.category != Category.ELECTRONICS:
        return
    graded = remanufacturing.graded_for(session, listing.device_hash, listing.serial_hash, listing.org_id)
    if graded is None:
        return
    if data.get("cosmetic_grade") not in (None, graded.grade):
        raise ValidationFailed("the grade differs from the inspection", fields={"cosmetic_grade": [
            f"The trade-in inspection graded this device {graded.grade}; the listing inherits that grade."]})
    listing.cosmetic_grade = graded.grade
    listing.inspection = {**graded.facts, "source": graded.source, "ref_id": str(graded.ref_id),
                          "inspected_at": graded.inspected_at.isoformat()}


# One round trip (photos joined rather than a second SELECT), and one statement object reused:
# SQLAlchemy then skips building the query and its cache key on every call.
_GET = select(Listing).options(joinedload(Listing.photos)).where(Listing.id == bindparam("listing_id"))


def get(session: Session, listing_id, viewer: User | None = None) -> Listing:
    listing = session.execute(_GET, {"listing_id": listing_id}).unique().scalar_one_or_none()
    if listing is None or not can_view(viewer, listing):
        raise NotFound("no such listing")
    return listing


def _for_update(session: Session, listing_id) -> Listing:
    listing = session.scalar(select(Listing).where(Listing.id == listing_id).with_for_update())
    if listing is None:
        raise NotFound("no such listing")
    return listing


def update_listing(session: Session, actor: User, listing_id, data: dict, *,
                   gates: Iterable[PublishGate]) -> Listing:
    """Edit a listing the actor manages; a price change is kept in the price history. A new
    VIN/IMEI/serial on a listing under review or on sale must pass `gates` again."""
    listing = _for_update(session, listing_id)
    if not can_manage(actor, listing):
        raise NotFound("no such listing") if not can_view(actor, listing) else Forbidden("not your listing")
    if listing.status in (Status.SOLD, Status.RESERVED):
        raise Conflict(f"a {listing.status.value} listing cannot be edited", code="listing_locked")
    merged = {"category": listing.category.value, **data}
    _raise_if_invalid(merged, clock.now(session).date())
    data = with_reman_claim(session, data, listing)
    if "price_fen" in data and data["price_fen"] != listing.price_fen:
        session.add(PriceChange(listing_id=listing.id, old_price_fen=listing.price_fen,
                                new_price_fen=data["price_fen"], changed_by=actor.id))
    for f in ("title", "description", "price_fen", "negotiable", "shipping_fee_fen", "free_shipping", "condition",
              "remanufacturer",
              "reman_cert_no", "reman_entry_id", "warranty_months", "legal_class", "cosmetic_grade", "inspection",
              "region_code", "lat", "lon"):
        if f in data:
            setattr(listing, f, data[f])
    if "attributes" in data:
        ids_before = (listing.device_hash, listing.serial_hash)
        _apply_attributes(listing, listing.category, data["attributes"], identifiers.hasher(session))
        _ensure_device_free(session, listing)
        if (listing.device_hash, listing.serial_hash) != ids_before:
            _recheck_device(session, listing, gates)
    if listing.status == Status.REJECTED:
        listing.reject_reason = None
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("another active listing has this VIN or IMEI", code="device_already_listed") from None
    return listing


def _recheck_device(session: Session, listing: Listing, gates: Iterable[PublishGate]) -> None:
    # Another identifier is another device: the old certificate no longer speaks for it, and a
    # listing under review or on sale passes the publish gates again (or the edit is refused).
    listing.wipe_certificate = None
    if listing.status in (Status.PENDING_REVIEW, Status.PUBLISHED):
        check_publish(session, listing, gates)


def transition(session: Session, actor: User, listing_id, action: str, reason: str | None = None, *,
               gates: Iterable[PublishGate], privileges_file: str | None = None) -> Listing:
    """Apply an owner action (submit, withdraw, relist) or an operator action (approve, reject).
    A submission must fit the seller's credit band (listing limit) and is published at once when
    the band waives manual review (services/listings/trust.py; `privileges_file` as configured).
    Entering review or publication runs the publish `gates` (services/listings/gates.py)."""
    if action not in states.ACTIONS:
        raise ValidationFailed("unknown action", fields={"action": [f"One of {sorted(states.ACTIONS)}."]})
    listing = _for_update(session, listing_id)
    if action in states.OPERATOR_ACTIONS:
        if not actor.is_operator:
            raise Forbidden("only operators approve or reject listings")
    elif not can_manage(actor, listing):
        raise NotFound("no such listing") if not can_view(actor, listing) else Forbidden("not your listing")
    target = states.ACTIONS[action]
    states.check(listing.status, target)
    if action == "reject" and not reason:
        raise ValidationFailed("a rejection needs a reason", fields={"reason": ["Required when rejecting."]})
    if target in ACTIVE_STATES:
        _ensure_device_free(session, listing)
    if target in (Status.PENDING_REVIEW, Status.PUBLISHED):
        check_publish(session, listing, gates)
    privileges = trust.check_submit(session, listing, privileges_file) if action == "submit" else None
    before = listing.status.value
    listing.status = target
    listing.reject_reason = reason if target == Status.REJECTED else None
    if target == Status.PUBLISHED:
        listing.published_at = clock.now(session)
        listing.approved_price_fen = listing.price_fen
    if target == Status.WITHDRAWN:
        _drop_pending_revision(session, listing.id, "listing withdrawn")
    if privileges is not None and trust.auto_approve(session, listing, privileges):  # the band may waive review
        listing.approved_price_fen = listing.price_fen
    if actor.is_operator:
        audit.record(session, actor.id, f"listing.{action}", "listing", listing.id,
                     before={"status": before}, after={"status": target.value}, reason=reason)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("another active listing has this VIN or IMEI", code="device_already_listed") from None
    return listing


def _drop_pending_revision(session: Session, listing_id, why: str) -> None:
    # A revision proposed against a version now withdrawn or sold must never be applied to whatever
    # the seller relists later (that goes through review as a whole). Its photo files stay in storage.
    pending = select(ListingRevision.id).where(ListingRevision.listing_id == listing_id,
                                               ListingRevision.status == RevisionStatus.PENDING)
    session.execute(delete(ListingPhoto).where(ListingPhoto.revision_id.in_(pending))
                    .execution_options(synchronize_session=False))
    session.execute(update(ListingRevision).where(ListingRevision.id.in_(pending))
                    .values(status=RevisionStatus.WITHDRAWN, reason=why, decided_at=clock.now(session))
                    .execution_options(synchronize_session=False))


def _atomic_move(session: Session, listing_id, frm: Status, to: Status, conflict_msg: str) -> None:
    # One conditional UPDATE: of many concurrent callers exactly one sees rowcount 1.
    res = session.execute(
        update(Listing).where(Listing.id == listing_id, Listing.status == frm)
        .values(status=to, revision=Listing.revision + 1, updated_at=clock.now(session))
        .returning(Listing.revision).execution_options(synchronize_session=False))
    row = res.first()
    if row is None:
        raise Conflict(conflict_msg, code="listing_unavailable")
    session.add(SearchOutbox(listing_id=listing_id, revision=row[0]))
    session.flush()
    listing = session.get(Listing, listing_id)
    if listing is not None:
        session.refresh(listing)


def reserve(session: Session, listing_id) -> None:
    """Atomically move a published listing to reserved, or raise Conflict."""
    _atomic_move(session, listing_id, Status.PUBLISHED, Status.RESERVED, "listing is not available")


def release(session: Session, listing_id) -> None:
    """Return a reserved listing to published (an order was cancelled or expired)."""
    _atomic_move(session, listing_id, Status.RESERVED, Status.PUBLISHED, "listing is not reserved")


def mark_sold(session: Session, listing_id) -> None:
    _atomic_move(session, listing_id, Status.RESERVED, Status.SOLD, "listing is not reserved")
    _drop_pending_revision(session, listing_id, "listing sold")


def price_history(session: Session, listing: Listing) -> list[PriceChange]:
    return list(session.scalars(select(PriceChange).where(PriceChange.listing_id == listing.id)
                                .order_by(PriceChange.changed_at)))


def browse(session: Session, viewer: User | None, *, cursor: str | None, limit: int, mine: bool = False,
           status: Status | None = None, category: Category | None = None, seller_id=None):
    """Published listings for everyone; `mine` lists the viewer's own in any state;
    operators may filter by any status (e.g. the review queue).

    Returns summary rows (the columns of SUMMARY_COLUMNS plus `seller_id` and `thumbnail_id`), not entities:
    a page is one query and no ORM hydration, the hottest read of the marketplace. Its keyword
    filters are the declared filterable fields (services/listings/fields.py FILTERS)."""
    if not mine:
        if status and status not in PUBLIC_STATES and not (viewer and viewer.is_operator):
            raise Forbidden("only operators list non-public states")
        filters = {"status": status or Status.PUBLISHED}
        if category:
            filters["category"] = category
        if seller_id:
            filters["seller_id"] = seller_id
        return _BROWSE.page(session, filters, cursor, limit)
    if viewer is None:
        raise Forbidden("log in to see your listings")
    owned = [Listing.seller_id == viewer.id]
    if viewer.org_ids():
        owned.append(Listing.org_id.in_(viewer.org_ids()))
    stmt = _SUMMARY_SELECT.where(or_(*owned))
    if status:
        stmt = stmt.where(Listing.status == status)
    if category:
        stmt = stmt.where(Listing.category == category)
    if seller_id:
        stmt = stmt.where(Listing.seller_id == seller_id)
    return pagination.page(session, stmt, Listing, cursor, limit, order_col=fields.ORDER_COLUMN, mappings=True)


def add_photo(session: Session, storage: Storage, actor: User, listing_id, data: bytes,
              revision_id=None) -> ListingPhoto:
    """Store a sanitised photo; with `revision_id` it is proposed by that revision and not on show."""
    listing = _for_update(session, listing_id)
    if not can_manage(actor, listing):
        raise NotFound("no such listing") if not can_view(actor, listing) else Forbidden("not your listing")
    count = session.scalar(select(func.count()).select_from(ListingPhoto).where(ListingPhoto.listing_id == listing.id))
    if count >= MAX_PHOTOS:
        raise Conflict(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
    clean, ctype, w, h = photos.sanitise(data)
    photo = ListingPhoto(id=uuid.uuid4(), listing_id=listing.id, content_type=ctype, size_bytes=len(clean),
                         width=w, height=h, position=count, storage_key="", revision_id=revision_id)
    photo.storage_key = f"listings/{listing.id}/{photo.id}.{ctype.split('/')[1]}"
    put_on_commit(session, storage, photo.storage_key, clean, ctype)
    session.add(photo)
    if revision_id is None:
        listing.updated_at = clock.now(session)  # a new photo is a change the search document must see
    session.flush()
    return photo


def get_photo(session: Session, photo_id, viewer: User | None) -> ListingPhoto:
    photo = session.get(ListingPhoto, photo_id)
    if photo is None or not can_view(viewer, photo.listing):
        raise NotFound("no such photo")
    if photo.revision_id and not (can_manage(viewer, photo.listing) or (viewer and viewer.is_operator)):
        raise NotFound("no such photo")  # proposed by a pending revision: not on show yet
    return photo


def delete_photo(session: Session, storage: Storage, actor: User, photo_id) -> None:
    photo = session.get(ListingPhoto, photo_id)
    if photo is None or not can_view(actor, photo.listing):
        raise NotFound("no such photo")
    if not can_manage(actor, photo.listing):
        raise Forbidden("not your listing")
    delete_on_commit(session, storage, photo.storage_key)
    photo.listing.updated_at = clock.now(session)
    session.delete(photo)
    session.flush()
