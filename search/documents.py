"""The search document: what every backend stores for one listing.

Only plain data: backends never see ORM objects. ``revision`` is the listing's revision and the
document's external version, so an older document never replaces a newer one. A listing that
is not published is stored as a tombstone (``published=False``) rather than deleted, so that a
late, older update cannot bring it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from typing import TYPE_CHECKING

from search import text as tx
from search.labels import attribute_words
from search.query import region_levels

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
    lat: float | None = None
    lon: float | None = None
    published_at: datetime | None = None

    @classmethod
    def tombstone(cls, id: str, revision: int) -> "SearchDocument":
        return cls(id=id, revision=revision, published=False)

    def title_tokens(self) -> str:
        return tx.index_text(self.title)

    def brand_tokens(self) -> str:
        return tx.index_text(self.brand, self.model)

    def body_tokens(self) -> str:
        return tx.index_text(self.labels, self.description)

    def region_levels(self) -> list[str]:
        return region_levels(self.region_code)

    def suggest_inputs(self) -> list[tuple[str, str]]:
        """(normalised text, kind) pairs offered to autocomplete."""
        out = [(tx.normalize(self.title).strip(), "title")]
        if self.brand:
            out.append((tx.normalize(self.brand).strip(), "brand"))
        if self.model:
            out.append((tx.normalize(self.model).strip(), "model"))
            if self.brand:
                out.append((tx.normalize(f"{self.brand} {self.model}").strip(), "model"))
        return [(t, k) for t, k in dict.fromkeys(out) if t]


def _value(v) -> str | None:
    return None if v is None else str(getattr(v, "value", v))


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
        labels=attribute_words(listing.kind, listing.powertrain, listing.emission_standard, energy),
        price_fen=listing.price_fen, region_code=listing.region_code, energy_grade=energy,
        powertrain=listing.powertrain, emission_standard=listing.emission_standard,
        year=listing.year, mileage_km=listing.mileage_km, storage_gb=listing.storage_gb,
        seller_type=listing.seller_type, lat=listing.lat, lon=listing.lon,
        published_at=listing.published_at,
    )
