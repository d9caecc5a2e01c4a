"""The search document: what every backend stores for one listing.

Only plain data: backends never see ORM objects. ``revision`` is the listing's revision and the
document's external version, so an older document never replaces a newer one. A listing that
is not published is stored as a tombstone (``published=False``) rather than deleted, so that a
late, older update cannot bring it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from typing import TYPE_CHECKING

from search import text as tx
from search.intent import ACCESSORY_TOKEN, is_accessory
from search.labels import attribute_words
from search.query import region_levels
from services.listings.location import public_coordinate

if TYPE_CHECKING:
    from services.listings.models import Listing


@dataclass(frozen=True)
class SearchDocument:
    id: str
    revision: int
    published: bool
    title: str = ""
    description: str = ""
    brand: str | None = None
    model: str | None = None
    category: str | None = None
    labels: str = ""  # words for coded attributes (search/labels.py), indexed with the body
    kind: str | None = None
    condition: str | None = None
    price_fen: int | None = None
    region_code: str | None = None
    energy_grade: str | None = None
    powertrain: str | None = None
    emission_standard: str | None = None
    year: int | None = None
    mileage_km: int | None = None
    storage_gb: int | None = None
    seller_type: str | None = None
    legal_class: str | None = None
    cosmetic_grade: str | None = None
    lat: float | None = None
    lon: float | None = None
    published_at: datetime | None = None
    certified: bool = False  # the device has a valid data-wipe certificate (listings.wipe_certificate)
    # Shown on a search hit, not searched: with them the index's copy of a published listing holds
    # its whole hit summary, so the search page needs no read of the listing rows (docs/search.md).
    negotiable: bool = False
    seller_id: str | None = None
    wipe_certificate: dict | None = None  # listings.wipe_certificate, as buyers see it

    @classmethod
    def tombstone(cls, id: str, revision: int) -> "SearchDocument":
        return cls(id=id, revision=revision, published=False)

    # Same strings as ``tx.index_text`` over the same texts, built from token lists (a join over
    # one list, not a generator per token) and with the repetitive parts cached: brands, models
    # and label words recur across thousands of listings; titles and descriptions are not cached.
    def title_tokens(self) -> str:
        return " ".join(tx.index_tokens(self.title))

    def brand_tokens(self) -> str:
        return _brand_tokens(self.brand, self.model)

    def body_tokens(self) -> str:
        """Label words, then the description; an accessory's body starts with ACCESSORY_TOKEN."""
        labels = _label_tokens(self.labels)
        if self.year:  # "2021款" finds a 2021 car whose text never says so
            labels = f"{labels} {tx.year_token(self.year)}" if labels else tx.year_token(self.year)
        if is_accessory(self.title):
            labels = f"{ACCESSORY_TOKEN} {labels}" if labels else ACCESSORY_TOKEN
        body = tx.index_tokens(self.description)
        if not body:
            return labels
        return f"{labels} {' '.join(body)}" if labels else " ".join(body)

    def region_levels(self) -> list[str]:
        return region_levels(self.region_code)

    def suggest_inputs(self) -> list[tuple[str, str]]:
        """(normalised text, kind) pairs offered to autocomplete."""
        out = [(tx.normalize(self.title).strip(), "title")]
        if self.brand or self.model:
            out.extend(_brand_suggestions(self.brand, self.model))
        return [(t, k) for t, k in dict.fromkeys(out) if t]


@lru_cache(maxsize=8192)
def _brand_tokens(brand: str | None, model: str | None) -> str:
    return tx.index_text(brand, model)


@lru_cache(maxsize=256)
def _label_tokens(labels: str) -> str:
    return tx.index_text(labels)


@lru_cache(maxsize=8192)
def _brand_suggestions(brand: str | None, model: str | None) -> tuple[tuple[str, str], ...]:
    out = []
    if brand:
        out.append((tx.normalize(brand).strip(), "brand"))
    if model:
        out.append((tx.normalize(model).strip(), "model"))
        if brand:
            out.append((tx.normalize(f"{brand} {model}").strip(), "model"))
    return tuple(out)


def _value(v) -> str | None:
    if v is None or v.__class__ is str:
        return v
    return str(getattr(v, "value", v))


@lru_cache(maxsize=1024)
def _labels(kind: str | None, powertrain: str | None, emission: str | None, energy: str | None) -> str:
    return attribute_words(kind, powertrain, emission, energy)


def from_listing(listing: "Listing") -> SearchDocument:
    """The document for a listing row as it is now: a tombstone unless it is published."""
    status = _value(listing.status)
    if status != "published":
        return SearchDocument.tombstone(str(listing.id), listing.revision)
    energy = _value(listing.energy_grade)
    return SearchDocument(
        id=str(listing.id), revision=listing.revision, published=True,
        title=listing.title, description=listing.description or "",
        brand=listing.brand, model=listing.model,
        category=_value(listing.category), kind=listing.kind, condition=_value(listing.condition),
        labels=_labels(listing.kind, listing.powertrain, listing.emission_standard, energy),
        price_fen=listing.price_fen, region_code=listing.region_code, energy_grade=energy,
        powertrain=listing.powertrain, emission_standard=listing.emission_standard,
        year=listing.year, mileage_km=listing.mileage_km, storage_gb=listing.storage_gb,
        seller_type=listing.seller_type, legal_class=getattr(listing, "legal_class", None),
        cosmetic_grade=getattr(listing, "cosmetic_grade", None), lat=public_coordinate(listing.lat), lon=public_coordinate(listing.lon),
        published_at=listing.published_at,
        certified=(listing.wipe_certificate or {}).get("status") == "valid",
        negotiable=bool(getattr(listing, "negotiable", False)),
        seller_id=_str_or_none(getattr(listing, "seller_id", None)),
        wipe_certificate=listing.wipe_certificate,
    )


def _str_or_none(v) -> str | None:
    return None if v is None else str(v)
