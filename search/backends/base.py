"""The protocol every search backend implements, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence

from search.analysis import TextPlan
from search.documents import SearchDocument
from search.query import SearchQuery, SearchResult, Suggestion


class SearchUnavailable(RuntimeError):
    """The backend cannot answer now (down, timing out); callers answer 503 or fall back."""


@dataclass
class ApplyReport:
    """Outcome of :meth:`SearchBackend.apply` for one batch."""

    applied: int = 0  # written at the document's revision
    stale: int = 0  # ignored because the index already holds this or a newer revision
    failed: list[str] = field(default_factory=list)  # ids to retry


class SearchBackend(Protocol):
    name: str

    def ensure_index(self) -> None:
        """Create the index (and alias) if missing; idempotent."""

    def apply(self, docs: Sequence[SearchDocument]) -> ApplyReport:
        """Write documents using ``revision`` as external version: never regress a document.

        Raises SearchUnavailable when nothing could be written at all.
        """

    def search(self, query: SearchQuery, plan: TextPlan) -> SearchResult:
        """Ids of published documents matching ``query``, sorted and paged by ``query.after``."""

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        """Autocomplete over titles, brands and models of published documents."""

    def rebuild(self, docs: Iterable[SearchDocument], progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; returns the count."""

    def versions(self) -> dict[str, tuple[int, bool]]:
        """Every stored document id -> (revision, published); for audits and tests."""

    def refresh(self) -> None:
        """Make writes visible to search now (tests, CLI)."""

    def healthy(self) -> bool:
        """True when the backend answers."""
