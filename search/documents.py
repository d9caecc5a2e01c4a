"""The search document: what every backend stores for one listing.

Only plain data: backends never see ORM objects. ``revision`` is the listing's revision and the
document's external version, so an older document never replaces a newer one. A listing that
is not published is stored as a tombstone (``published=False``) rather than deleted, so that a
late, older update cannot bring it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from search import text as tx
from search.query import region_levels


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
    category_label: str | None = None  # display name, indexed so "冰箱" finds the category
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
        return tx.index_text(self.category_label, self.description)

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
