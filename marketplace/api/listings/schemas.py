from __future__ import annotations

import marshmallow as ma

from marketplace.api.listings import attributes as listing_attrs
from marketplace.api.listings import declared
from marketplace import i18n
from marketplace.pagination import PageArgs
from flask import url_for
from marshmallow import ValidationError, validate, validates_schema

from marketplace import container
from services import identifiers, labels
from services.listings import fields as decl
from services.listings import validation as v
from services.listings.models import Category
from services.remanufacturing import grading


# Built from the domain's declarations (services/listings/attributes.py), like their OpenAPI schemas.
ATTRS = {c.value: listing_attrs.marshmallow_schema(c) for c in Category}


class _ListingChecks(ma.Schema):
    def _check(self, data: dict, category: str | None) -> dict:
        errors: dict[str, list[str]] = {}
        if "attributes" in data and category:
            try:
                data["attributes"] = ATTRS[category]().load(data["attributes"])
            except ValidationError as e:
                for k, msgs in e.messages.items():
                    errors[f"attributes.{k}"] = msgs
        if not errors:
            errors = v.listing_errors({**data, "category": category}, container.current().deps.clock.now().date())
        if errors:
            raise ValidationError(errors)
        return data

    @validates_schema
    def _validate(self, data, **kw):
        # Updates carry no category: the route checks attributes against the listing's own.
        if data.get("category") or "attributes" not in data:
            self._check(data, data.get("category"))


# Built from the declaration: what a seller may send, with its bounds; the rules across fields are
# the domain's (services/listings/validation.py, called by _ListingChecks).
ListingCreateSchema = _ListingChecks.from_dict(declared.request_fields(True, ("edit", "create")), name="ListingCreateSchema")
ListingUpdateSchema = _ListingChecks.from_dict(declared.request_fields(False, ("edit",)), name="ListingUpdateSchema")


class PhotoSchema(ma.Schema):
    id = ma.fields.UUID()
    content_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    size_bytes = ma.fields.Integer()
    url = ma.fields.Function(lambda p: url_for("listings.get_photo", photo_id=p.id))


class CertificateSummarySchema(ma.Schema):
    """The device's data-wipe certificate as buyers see it on a listing or search hit."""
    id = ma.fields.UUID(required=True)
    status = ma.fields.String(metadata={"description": "valid, superseded or revoked"})
    level = ma.fields.String(metadata={"description": "clear, purge or destroy (NIST SP 800-88): "
                                                      "the weakest of its media"})
    organisation = ma.fields.String(allow_none=True, metadata={"description": "Issuing organisation"})
    issued_at = ma.fields.String(metadata={"description": "UTC, ISO 8601"})
    verify_url = ma.fields.Function(lambda c: verify_path(c["id"]),
                                    metadata={"description": "Public verification page (no login)"})


def verify_path(certificate_id) -> str:
    return f"/verify/{certificate_id}"


def certificate_json(shown: dict | None) -> dict | None:
    """CertificateSummarySchema's output for a listing's denormalised `wipe_certificate`."""
    if shown is None:
        return None
    return {"id": str(shown["id"]), "status": _str(shown.get("status")), "level": _str(shown.get("level")),
            "organisation": _str(shown.get("organisation")), "issued_at": _str(shown.get("issued_at")),
            "verify_url": verify_path(shown["id"])}


# The coded fields of a listing that people read, and the label table of each (services/labels.py).
LABELLED = {"category": "listing.category", "kind": "kind", "condition": "listing.condition",
            "status": "listing.status"}


def _code(value):
    return getattr(value, "value", value)


def listing_labels(t: dict, category, kind, condition, status) -> dict:
    """The `labels` object of a listing from one language's tables: a dictionary lookup per field."""
    return {"category": t["listing.category"].get(category), "kind": t["kind"].get(kind),
            "condition": t["listing.condition"].get(condition), "status": t["listing.status"].get(status)}


class SellerSummarySchema(ma.Schema):
    """Who sells: public standing only (services/standing), the same figures as the profile."""
    id = ma.fields.UUID(required=True)
    display_name = ma.fields.String()
    real_name_verified = ma.fields.Boolean()
    organisation_verified = ma.fields.Boolean(metadata={"description": "Acts for a vetted organisation"})
    rating_average = ma.fields.Float(allow_none=True, metadata={"description": "Published reviews, 1 to 5"})
    rating_count = ma.fields.Integer()
    completed_trades = ma.fields.Integer(metadata={"description": "Completed orders as buyer or seller"})
    credit_band = ma.fields.String(allow_none=True, metadata={"description": "Band of the latest credit score"})
    profile_url = ma.fields.Function(lambda s: profile_path(s.id))


def profile_path(user_id) -> str:
    return f"/api/v1/users/{user_id}/profile"


def seller_json(shown) -> dict | None:
    """SellerSummarySchema's output for a services.standing.SellerSummary (None stays None)."""
    if shown is None:
        return None
    return {"id": str(shown.id), "display_name": _str(shown.display_name),
            "real_name_verified": bool(shown.real_name_verified),
            "organisation_verified": bool(shown.organisation_verified),
            "rating_average": None if shown.rating_average is None else float(shown.rating_average),
            "rating_count": int(shown.rating_count), "completed_trades": int(shown.completed_trades),
            "credit_band": _str(shown.credit_band), "profile_url": profile_path(shown.id)}


ListingSchema = declared.response_schema("ListingSchema", decl.DETAIL, {
    "attributes": listing_attrs.field(stored=True),
    "device_masked": ma.fields.Function(lambda l: identifiers.mask(l.device_last4)),
    "serial_masked": ma.fields.Function(lambda l: identifiers.mask(l.serial_last4)),
    "inspection": ma.fields.Dict(allow_none=True),
    # Shown in words, both languages at once (Art. 40: remanufactured/refurbished labelled as such).
    "class_words": ma.fields.Function(lambda l: grading.words(grading.LEGAL_CLASSES, l.legal_class), allow_none=True),
    "grade_words": ma.fields.Function(lambda l: grading.words(grading.GRADES, l.cosmetic_grade), allow_none=True),
    "certificate": ma.fields.Nested(CertificateSummarySchema, attribute="wipe_certificate", allow_none=True),
    # Set by the route from one batched read (services.standing.summaries); never queried here.
    "seller": ma.fields.Nested(SellerSummarySchema, attribute="seller_summary", allow_none=True),
    "photos": ma.fields.List(ma.fields.Nested(PhotoSchema)),
    "labels": i18n.labels_field(LABELLED, lambda l, f: _code(getattr(l, f))),
})


def _iso(value):
    return None if value is None else value.isoformat()


def _str(value):
    return None if value is None else str(value)


def _num(value, kind):
    return None if value is None else kind(value)


def listing_json(listing) -> dict:
    """ListingSchema's output for one listing, written out by hand for GET of a listing, the
    second-hottest read (bench/listings.py). tests/functional/test_listing_json.py holds the two to
    the same output, key for key."""
    l, num = listing, _num
    return {
        "id": _str(l.id), "seller_id": _str(l.seller_id), "org_id": _str(l.org_id), "seller_type": _str(l.seller_type),
        "category": l.category.value, "kind": _str(l.kind), "title": _str(l.title),
        "description": _str(l.description), "price_fen": num(l.price_fen, int), "negotiable": num(l.negotiable, bool),
        "shipping_fee_fen": num(l.shipping_fee_fen, int), "free_shipping": num(l.free_shipping, bool),
        "condition": l.condition.value if hasattr(l.condition, "value") else l.condition,
        "remanufacturer": _str(l.remanufacturer), "reman_cert_no": _str(l.reman_cert_no),
        "reman_entry_id": _str(l.reman_entry_id), "warranty_months": num(l.warranty_months, int),
        "legal_class": _str(l.legal_class), "cosmetic_grade": _str(l.cosmetic_grade),
        "inspection": num(l.inspection, dict),
        "class_words": grading.words(grading.LEGAL_CLASSES, l.legal_class),
        "grade_words": grading.words(grading.GRADES, l.cosmetic_grade),
        "region_code": _str(l.region_code), "lat": num(l.lat, float), "lon": num(l.lon, float),
        "status": l.status.value, "reject_reason": _str(l.reject_reason),
        "attributes": num(l.attributes, dict), "device_masked": identifiers.mask(l.device_last4),
        "serial_masked": identifiers.mask(l.serial_last4), "certificate": certificate_json(l.wipe_certificate),
        "seller": seller_json(l.seller_summary),
        "photos": None if l.photos is None else [
            {"id": _str(p.id), "content_type": _str(p.content_type), "width": num(p.width, int),
             "height": num(p.height, int), "size_bytes": num(p.size_bytes, int),
             "url": url_for("listings.get_photo", photo_id=p.id)} for p in l.photos],
        "revision": num(l.revision, int), "published_at": _iso(l.published_at), "created_at": _iso(l.created_at),
        "updated_at": _iso(l.updated_at),
        "labels": listing_labels(labels.TABLES[i18n.language()], l.category.value, l.kind, _code(l.condition),
                                 l.status.value),
    }


# What a list of listings shows per item; the detail endpoint has everything.
ListingSummarySchema = declared.response_schema("ListingSummarySchema", decl.SUMMARY, {
    "thumbnail_url": ma.fields.Function(
        lambda l: f"/api/v1/photos/{l['thumbnail_id']}" if l["thumbnail_id"] else None),
    "certificate": ma.fields.Nested(CertificateSummarySchema, attribute="wipe_certificate", allow_none=True),
    "seller": ma.fields.Nested(SellerSummarySchema, allow_none=True),
    "labels": i18n.labels_field(LABELLED, lambda row, f: _code(row[f])),
})


def summary_json(row, t: dict | None = None, seller=None) -> dict:
    """ListingSummarySchema's output for one summary row, written out by hand: the listing index
    is the hottest read and marshmallow's generic dump cost more than the query (bench/listings.py).
    tests/unit/test_listing_summary.py holds the two to the same output, field for field. `seller`
    is the row's services.standing.SellerSummary (the route reads a page's sellers in one query)."""
    thumb = row["thumbnail_id"]
    category, condition, status = row["category"].value, row["condition"].value, row["status"].value
    return {"id": str(row["id"]), "seller_type": row["seller_type"], "category": category, "kind": row["kind"],
            "title": row["title"], "price_fen": row["price_fen"], "negotiable": row["negotiable"],
            "condition": condition, "region_code": row["region_code"], "status": status,
            "brand": _str(row["brand"]), "model": _str(row["model"]),
            "thumbnail_url": f"/api/v1/photos/{thumb}" if thumb else None,
            "certificate": certificate_json(row["wipe_certificate"]), "seller": seller_json(seller),
            "created_at": _iso(row["created_at"]),
            "labels": listing_labels(t or labels.TABLES[i18n.language()], category, row["kind"], condition, status)}


class TransitionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=validate.OneOf(("submit", "approve", "reject", "withdraw", "relist")))
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=500))


# The index's equality filters are the declared filterable fields (services.listings.service.browse).
BrowseArgs = PageArgs.from_dict({
    "mine": ma.fields.Boolean(load_default=False),
    **{f.name: ma.fields.String(load_default=None, validate=validate.OneOf(f.choices)) if f.enum
       else declared.TYPES[f.type](load_default=None) for f in decl.FILTERS},
}, name="BrowseArgs")


def filter_values(args: dict) -> dict:
    """The index filters of loaded BrowseArgs, codes turned into their enums."""
    return {f.name: f.enum(args[f.name]) if f.enum and args[f.name] else args[f.name] for f in decl.FILTERS}


class PriceChangeSchema(ma.Schema):
    old_price_fen = ma.fields.Integer()
    new_price_fen = ma.fields.Integer()
    changed_at = ma.fields.DateTime()


class PhotoUploadSchema(ma.Schema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
