"""Listings: create, browse, edit, move through the lifecycle, photos, price history."""
from __future__ import annotations

from flask import current_app, jsonify
from marshmallow import ValidationError

from marketplace import i18n
from marketplace.api.listings import schemas as s
from marketplace.api.listings import sellers
from marketplace.auth import current_user, public, require_user
from marketplace.errors import flatten
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uploads import image_response, storage, uploaded_bytes
from marketplace.uow import unit_of_work
from services import labels
from services.errors import ValidationFailed
from services.flows.publishing import PUBLISH_GATES
from services.listings import revisions, service
from services.listings.location import public_coordinate
from services.orders import service as orders
from services.listings.models import Status

blp = Blueprint("listings", __name__, description="Listings of vehicles, appliances and electronics")


def with_seller(listing):
    """The listing with its seller's public summary attached for ListingSchema (cached briefly)."""
    listing.seller_summary = sellers.cache().one(db.session, listing.seller_id)
    return listing


@blp.route("/listings", methods=["POST"])
@idempotent
@blp.arguments(s.ListingCreateSchema)
@blp.response(201, s.ListingSchema)
def create_listing(data):
    """Create a draft listing; category attributes are checked (VIN and IMEI check digits, region)."""
    user = require_user()
    with unit_of_work() as session:
        listing = service.create(session, user, data)
    return with_seller(listing), 201, {"Location": f"/api/v1/listings/{listing.id}"}


@blp.route("/listings", methods=["GET"])
@public
@blp.arguments(s.BrowseArgs, location="query")
@blp.alt_response(200, schema=page_of(s.ListingSummarySchema), success=True, description="A page of listings")
def browse_listings(args):
    """Newest published listings; `mine=true` for your own in any state; operators filter by status."""
    rows, nxt = service.browse(db.session, current_user(), cursor=args["cursor"], limit=args["limit"],
                               mine=args["mine"], **s.filter_values(args))
    # Serialised by s.summary_json, which is held to the documented schema's output by a test.
    t = labels.TABLES[i18n.language()]
    # The page's sellers in one query (or none, while cached), not one per row.
    summaries = sellers.cache().many(db.session, [r["seller_id"] for r in rows])
    return jsonify(page([s.summary_json(r, t, summaries.get(r["seller_id"])) for r in rows], nxt))


@blp.route("/listings/<uuid:listing_id>", methods=["GET"])
@public
@blp.alt_response(200, schema=s.ListingSchema, success=True, description="The listing")
def get_listing(listing_id):
    """One listing (drafts and rejected ones only for their seller and operators)."""
    # Serialised by s.listing_json, which is held to the documented schema's output by a test.
    viewer = current_user()
    listing = with_seller(service.get(db.session, listing_id, viewer))
    body = s.listing_json(listing)
    if body["lat"] is not None and not _sees_exact_location(viewer, listing):
        body["lat"], body["lon"] = public_coordinate(body["lat"]), public_coordinate(body["lon"])
    return jsonify(body)


def _sees_exact_location(viewer, listing) -> bool:
    # Only a reserved or sold listing has a buyer who may need the exact place (one query then).
    if viewer is None:
        return False
    if viewer.is_operator or service.can_manage(viewer, listing):
        return True
    return listing.status in (Status.RESERVED, Status.SOLD) and orders.buys_listing(db.session, viewer.id, listing.id)


@blp.route("/listings/<uuid:listing_id>", methods=["PATCH"])
@blp.arguments(s.ListingUpdateSchema)
@blp.response(200, s.ListingSchema)
@blp.alt_response(202, schema=s.ListingSchema, description=(
    "Published listing: the material part of the edit is held for review in the pending revision "
    "(Location); the body is the listing as on sale, with any price cut already applied"))
def update_listing(data, listing_id):
    """Edit your listing; price changes are kept in its price history. On a published listing a
    price cut (or a rise up to LISTING_PRICE_RISE_REVIEW_PCT percent over the approved price) and
    `negotiable` apply at once; any other change goes to review while the approved version stays
    on sale (202). Phone numbers, WeChat/QQ ids, links and emails in the text are refused."""
    user = require_user()
    with unit_of_work() as session:
        if "attributes" in data:
            listing = service.get(session, listing_id, user)
            try:
                data = s._ListingChecks()._check(data, listing.category.value)
            except ValidationError as e:
                raise ValidationFailed("invalid listing", fields=flatten(e.messages)) from None
        result = revisions.edit(session, user, listing_id, data, gates=PUBLISH_GATES,
                                rise_review_pct=current_app.config["LISTING_PRICE_RISE_REVIEW_PCT"])
    if result.revision is not None:
        return with_seller(result.listing), 202, {"Location": f"/api/v1/listing-revisions/{result.revision.id}"}
    return with_seller(result.listing)


@blp.route("/listings/<uuid:listing_id>/transitions", methods=["POST"])
@blp.arguments(s.TransitionSchema)
@blp.response(200, s.ListingSchema)
def transition_listing(data, listing_id):
    """submit, withdraw, relist (seller); approve, reject with a reason (operator).
    A forbidden transition is a 409 naming the allowed ones."""
    user = require_user()
    with unit_of_work() as session:
        listing = service.transition(session, user, listing_id, data["action"], data["reason"],
                                     gates=PUBLISH_GATES,
                                     privileges_file=current_app.config.get("CREDIT_PRIVILEGES_FILE"))
    return with_seller(listing)


@blp.route("/listings/<uuid:listing_id>/price-history", methods=["GET"])
@public
@blp.response(200, s.PriceChangeSchema(many=True))
def price_history(listing_id):
    """Every price change of a listing, oldest first."""
    listing = service.get(db.session, listing_id, current_user())
    return service.price_history(db.session, listing)


@blp.route("/listings/<uuid:listing_id>/photos", methods=["POST"])
@blp.arguments(s.PhotoUploadSchema, location="files")
@blp.response(201, s.PhotoSchema)
@blp.alt_response(202, schema=s.PhotoSchema, description=(
    "Published listing: the photo is proposed by the pending revision (Location), not on show until approved"))
def upload_photo(files, listing_id):
    """Upload a JPEG, PNG or WebP photo (type read from the bytes; EXIF, including GPS, removed)."""
    user = require_user()
    with unit_of_work() as session:
        photo, rev = revisions.add_photo(session, storage(), user, listing_id, uploaded_bytes())
    if rev is not None:
        return photo, 202, {"Location": f"/api/v1/listing-revisions/{rev.id}"}
    return photo


@blp.route("/photos/<uuid:photo_id>", methods=["GET"])
@public
@blp.response(200, content_type="image/*")
def get_photo(photo_id):
    """The photo's (EXIF-free) bytes."""
    photo = service.get_photo(db.session, photo_id, current_user())
    # Shared caches may keep only what an anonymous caller would get too.
    shown_to_all = photo.revision_id is None and service.can_view(None, photo.listing)
    return image_response(storage().get(photo.storage_key), photo.content_type, public=shown_to_all)


@blp.route("/photos/<uuid:photo_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(202, description="Published listing: the removal is held for review in the pending revision (Location)")
def delete_photo(photo_id):
    """Remove a photo from your listing (from a published one once the removal is approved)."""
    user = require_user()
    with unit_of_work() as session:
        rev = revisions.delete_photo(session, storage(), user, photo_id)
    if rev is not None:
        return None, 202, {"Location": f"/api/v1/listing-revisions/{rev.id}"}
