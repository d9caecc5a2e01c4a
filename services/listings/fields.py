"""The fields of a listing as clients see them, declared once as plain data.

Everything that lists a listing's fields is built from (or checked against) this table:
- the query: the summary columns of the index (`SUMMARY_COLUMNS`), its equality filters
  (`FILTERS`) and the typed columns copied out of the attributes (`TYPED`), in service.py and
  revisions.py;
- the HTTP edge: the request schemas (`WRITABLE`), ListingSchema (`DETAIL`) and
  ListingSummarySchema (`SUMMARY`) in marketplace/api/listings/schemas.py, with the bounds below
  as their validators;
- the hand-written serialisers (`listing_json`, `summary_json`), held to those schemas key for key
  by tests that draw their rows from the schemas' fields.
A category's `attributes` are declared in services/listings/attributes.py; the cross-field rules
(remanufactured goods, lat with lon, known regions, check digits) in validation.py.
"""
from __future__ import annotations

from enum import Enum
from dataclasses import dataclass

from services.listings.models import Category, Condition, Status
from services.listings.validation import MAX_PRICE_FEN
from services.remanufacturing import interface as grading


@dataclass(frozen=True)
class ListingField:
    """One client-facing field of a listing.

    `type`: uuid, string, integer, number, boolean, datetime, enum (then `enum` is its class) or
    object/list (shaped at the edge: a nested schema, a URL, a label). `column`: the Listing column
    (or summary-row key) it reads; None when the edge computes it. `write`: "create" (accepted when
    creating only), "edit" (when creating and editing) or None (read only); `required`: on create."""
    name: str
    type: str
    description: str = ""
    column: str | None = None
    enum: type[Enum] | None = None
    values: tuple[str, ...] | None = None  # the allowed codes of a string field that has no Enum class
    nullable: bool = False
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_error: str | None = None
    write: str | None = None
    required: bool = False
    detail: bool = True
    summary: bool = False
    owner_only: bool = False  # meaningful only to the seller and operators (who alone see such listings)
    filterable: bool = False  # an equality filter of the listing index
    sortable: bool = False    # the index's order (newest first, keyset cursor)

    @property
    def choices(self) -> tuple[str, ...] | None:
        return tuple(e.value for e in self.enum) if self.enum else self.values


F = ListingField
# In the order clients see them (ListingSchema; the summary keeps this order too).
FIELDS: tuple[ListingField, ...] = (
    F("id", "uuid", column="id", summary=True),
    F("seller_id", "uuid", column="seller_id", filterable=True),
    F("org_id", "uuid", "The organisation the listing is filed under", column="org_id", nullable=True,
      write="create"),
    F("seller_type", "string", "consumer, retailer or recycler", column="seller_type", summary=True),
    F("category", "enum", column="category", enum=Category, write="create", required=True, summary=True,
      filterable=True),
    F("kind", "string", column="kind", summary=True),
    F("title", "string", column="title", min_length=2, max_length=200, write="edit", required=True,
      summary=True),
    F("description", "string", column="description", max_length=5000, write="edit"),
    F("price_fen", "integer", column="price_fen", unit="fen", minimum=1, maximum=MAX_PRICE_FEN,
      write="edit", required=True, summary=True),
    F("negotiable", "boolean", column="negotiable", write="edit", summary=True),
    F("shipping_fee_fen", "integer", "Shipping across cities (跨城发货): the carrier's fee in fen; null = meet-up "
      "only (面交). The buyer pays it on top of the price unless `free_shipping`.", column="shipping_fee_fen",
      nullable=True, unit="fen", minimum=0, maximum=1_000_000, write="edit"),
    F("free_shipping", "boolean", "包邮: the seller pays `shipping_fee_fen` out of the payout.",
      column="free_shipping", write="edit"),
    F("condition", "enum", column="condition", enum=Condition, write="edit", required=True, summary=True),
    F("remanufacturer", "string", column="remanufacturer", nullable=True, max_length=120, write="edit"),
    F("reman_cert_no", "string", "Ignored for remanufactured listings: copied from the catalogue entry.",
      column="reman_cert_no", nullable=True, max_length=64, write="edit"),
    F("reman_entry_id", "uuid", "Remanufactured (再制造) listings: the entry in the catalogue of recognised "
      "remanufacturers (GET /api/v1/remanufacturing/catalogue).", column="reman_entry_id", nullable=True,
      write="edit"),
    F("warranty_months", "integer", "Warranty promised (required for remanufactured goods, at least the "
      "entry's commitment)", column="warranty_months", nullable=True, unit="months", minimum=0, maximum=600,
      write="edit"),
    F("legal_class", "string", "new, remanufactured (再制造), refurbished (翻新) or used; default from condition.",
      column="legal_class", values=tuple(grading.LEGAL_CLASSES), write="edit"),
    F("cosmetic_grade", "string", "Electronics: premium, excellent, good or fair, with `inspection` (a trade-in "
      "inspection's grade is inherited).", column="cosmetic_grade", nullable=True, values=tuple(grading.GRADES),
      write="edit"),
    F("inspection", "object", "battery_health_pct, screen, body, functions_checked, functions_ok, genuine_parts.",
      column="inspection", nullable=True, write="edit"),
    F("class_words", "object", "The legal class in words, Chinese and English", nullable=True),
    F("grade_words", "object", "The cosmetic grade in words, Chinese and English", nullable=True),
    F("region_code", "string", column="region_code", pattern=r"^\d{6}$",
      pattern_error="A 6-digit GB/T 2260 code.", write="edit", required=True, summary=True),
    F("lat", "number", column="lat", nullable=True, unit="degrees", minimum=-90, maximum=90, write="edit"),
    F("lon", "number", column="lon", nullable=True, unit="degrees", minimum=-180, maximum=180, write="edit"),
    F("status", "enum", "Listing state: draft, pending_review, published, reserved, sold, withdrawn, rejected.",
      column="status", enum=Status, summary=True, filterable=True),
    F("reject_reason", "string", "Why an operator rejected the listing", column="reject_reason", nullable=True,
      owner_only=True),
    F("brand", "string", column="brand", nullable=True, detail=False, summary=True),
    F("model", "string", column="model", nullable=True, detail=False, summary=True),
    F("thumbnail_url", "string", "The first photo on show", column="thumbnail_id", nullable=True,
      detail=False, summary=True),
    F("attributes", "object", "Category attributes (services/listings/attributes.py)", column="attributes",
      write="edit", required=True),
    F("device_masked", "string", "VIN or IMEI, masked", column="device_last4", nullable=True),
    F("serial_masked", "string", "Serial number, masked", column="serial_last4", nullable=True),
    F("certificate", "object", "The device's data-wipe certificate", column="wipe_certificate", nullable=True,
      summary=True),
    F("seller", "object", "The seller's public standing", nullable=True, summary=True),
    F("photos", "list", column="photos"),
    F("revision", "integer", column="revision"),
    F("published_at", "datetime", column="published_at", nullable=True),
    F("created_at", "datetime", column="created_at", summary=True, sortable=True),
    F("updated_at", "datetime", column="updated_at"),
    F("labels", "object", "Display names of the coded fields in the request's language", summary=True),
)
BY_NAME = {f.name: f for f in FIELDS}

DETAIL = tuple(f for f in FIELDS if f.detail)
SUMMARY = tuple(f for f in FIELDS if f.summary)
WRITABLE = tuple(f for f in FIELDS if f.write)
FILTERS = tuple(f for f in FIELDS if f.filterable)
# The index's order, newest first (the keyset cursor is built on this column and the id).
ORDER_COLUMN = next(f.column for f in FIELDS if f.sortable)

# The columns the index reads per row (plus `seller_id`, and `thumbnail_id` from a subquery).
SUMMARY_COLUMNS = tuple(f.column for f in SUMMARY if f.column and f.column != "thumbnail_id")

# Attributes also stored in their own columns, for search filters and the index: the column, then
# the attribute(s) it is copied from, first present wins (a vehicle's `make` is its brand).
TYPED_SOURCES: dict[str, tuple[str, ...]] = {
    "brand": ("brand", "make"), "model": ("model",), "year": ("year",), "mileage_km": ("mileage_km",),
    "powertrain": ("powertrain",), "emission_standard": ("emission_standard",),
    "energy_grade": ("energy_grade",), "storage_gb": ("storage_gb",),
}
TYPED = tuple(TYPED_SOURCES)

