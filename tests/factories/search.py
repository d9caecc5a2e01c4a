"""The judged search corpus as documents, and empty search backends of each kind on real services
(the fixtures that build them are tests/fixtures/search.py)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, delete

from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend, make_client
from search.documents import SearchDocument
from search.labels import attribute_words
from services.search.models import SearchDocumentRow

DATA = Path(__file__).resolve().parents[1] / "data" / "search"
BACKENDS = ("elasticsearch", "postgresql", "sqlite")
NAMESPACE = uuid.UUID("6f1c9d7e-0000-4000-8000-000000000003")
BASE_TIME = datetime(2026, 11, 1, tzinfo=timezone.utc)


def key_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def corpus() -> list[dict]:
    return json.loads((DATA / "corpus.json").read_text("utf-8"))


def judged() -> list[dict]:
    return json.loads((DATA / "judged.json").read_text("utf-8"))["queries"]


def to_document(item: dict, revision: int = 1) -> SearchDocument:
    return SearchDocument(
        id=key_id(item["key"]), revision=revision, published=True, title=item["title"],
        description=item.get("description") or "", brand=item.get("brand"), model=item.get("model"),
        category=item["category"], kind=item["kind"], condition=item["condition"],
        labels=attribute_words(item["kind"], item.get("powertrain"), item.get("emission_standard"),
                               item.get("energy_grade")),
        price_fen=item["price_fen"], region_code=item["region_code"], energy_grade=item.get("energy_grade"),
        powertrain=item.get("powertrain"), emission_standard=item.get("emission_standard"),
        year=item.get("year"), mileage_km=item.get("mileage_km"), storage_gb=item.get("storage_gb"),
        seller_type=item["seller_type"], lat=item["lat"], lon=item["lon"],
        published_at=BASE_TIME - timedelta(days=item["days_ago"], minutes=len(item["key"])),
    )


def corpus_documents() -> list[SearchDocument]:
    return [to_document(item) for item in corpus()]


_engines: dict = {}


def _engine(url: str):
    if url not in _engines:
        _engines[url] = create_engine(url)
    return _engines[url]


class BackendFactory:
    """Makes an empty backend of one kind and cleans up after it."""

    def __init__(self, kind: str, es_url: str, pg_url: str, sqlite_url: str):
        self.kind = kind
        self.urls = {"postgresql": pg_url, "sqlite": sqlite_url}
        self.es_url = es_url
        self.made: list = []

    def make(self):
        if self.kind == "elasticsearch":
            backend = ElasticsearchBackend(make_client(self.es_url, 30), alias=f"test-search-{uuid.uuid4().hex[:10]}")
            backend.ensure_index()
        else:
            backend = DatabaseBackend(_engine(self.urls[self.kind]))
            self._clear(backend)
        self.made.append(backend)
        return backend

    def _clear(self, backend) -> None:
        with backend.engine.begin() as conn:
            conn.execute(delete(SearchDocumentRow.__table__))

    def cleanup(self) -> None:
        for backend in self.made:
            if self.kind == "elasticsearch":
                backend.es.indices.delete(index=f"{backend.alias}-*", allow_no_indices=True)
            else:
                self._clear(backend)
