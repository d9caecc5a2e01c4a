"""Search backends on real services: Elasticsearch (TEST_ELASTICSEARCH_URL), PostgreSQL (a
``<test db>_search`` database next to TEST_DATABASE_URL) and SQLite (a temporary file), all built
by the real migrations. A missing service fails the tests; nothing skips."""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend, make_client
from search.documents import SearchDocument
from search.labels import attribute_words
from services.search.models import SearchDocumentRow

DATA = Path(__file__).resolve().parents[2] / "data" / "search"
BACKENDS = ("elasticsearch", "postgresql", "sqlite")
NAMESPACE = uuid.UUID("6f1c9d7e-0000-4000-8000-000000000003")
BASE_TIME = datetime(2026, 11, 1, tzinfo=timezone.utc)
ES_DEFAULT = "http://127.0.0.1:9200"
PG_DEFAULT = "postgresql+psycopg://huanxin@127.0.0.1:5432/huanxin_test"


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


@pytest.fixture(scope="session")
def es_url() -> str:
    return os.environ.get("TEST_ELASTICSEARCH_URL", ES_DEFAULT)


@pytest.fixture(scope="session")
def search_pg_url() -> str:
    """A database of its own, so that search fixtures outlive the per-test table truncation."""
    from marketplace.cli import upgrade
    base = make_url(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT))
    url = base.set(database=f"{base.database}_search")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # fails loudly when PostgreSQL is not running
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    return rendered


@pytest.fixture(scope="session")
def search_sqlite_url(tmp_path_factory) -> str:
    from marketplace.cli import upgrade
    url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}"
    upgrade(url)
    return url


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


@pytest.fixture(params=BACKENDS)
def backend_factory(request, es_url, search_pg_url, search_sqlite_url):
    factory = BackendFactory(request.param, es_url, search_pg_url, search_sqlite_url)
    yield factory
    factory.cleanup()


@pytest.fixture
def backend(backend_factory):
    """An empty backend of each kind."""
    return backend_factory.make()


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_backend(request, es_url, search_pg_url, search_sqlite_url):
    """A backend of each kind holding the judged corpus (read-only tests share it)."""
    factory = BackendFactory(request.param, es_url, search_pg_url, search_sqlite_url)
    backend = factory.make()
    backend.apply(corpus_documents())
    backend.refresh()
    yield backend
    factory.cleanup()
