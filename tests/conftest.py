"""Test harness: a real database built by the real migrations, a fresh app, and clean tables
after every test. PostgreSQL by default (`TEST_DATABASE_URL`), SQLite with `--db sqlite` for
the smoke subset. Services that are missing make tests fail, never skip."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

PG_DEFAULT = "postgresql+psycopg://huanxin@127.0.0.1:5432/huanxin_test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/15"


def pytest_addoption(parser):
    parser.addoption("--db", default="postgresql", choices=("postgresql", "sqlite"),
                     help="database the suite runs on")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--db") == "sqlite":
        items[:] = [i for i in items if i.get_closest_marker("smoke")]


@pytest.fixture(scope="session")
def db_url(request, tmp_path_factory) -> str:
    from marketplace.cli import upgrade
    if request.config.getoption("--db") == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
        engine = create_engine(url)
        with engine.begin() as conn:  # fails loudly when PostgreSQL is not running
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", REDIS_DEFAULT)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


def make_app(db_url: str, instance_dir: Path, *, deps: dict | None = None, **overrides):
    """A test app on `db_url`; its clock is the suite's TEST_CLOCK (tests/fixtures/clock.py) unless
    `deps` gives another, and `deps` may replace any other collaborator (services.deps.Deps)."""
    os.environ["INSTANCE_PATH"] = str(instance_dir)
    from marketplace import create_app
    from tests.fixtures.clock import TEST_CLOCK
    cfg = {"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "ID_HASH_KEY": "test-id-hash-key",
           "STORAGE_DIR": str(instance_dir / "uploads"), "RATELIMIT_ENABLED": False, "TESTING": True,
           # tests read what they just wrote: no seconds-old seller summaries (test_seller_standing
           # checks the cache itself)
           "SELLER_SUMMARY_CACHE_SECONDS": 0}
    cfg.update(overrides)
    return create_app(cfg, deps={"clock": TEST_CLOCK, **(deps or {})})


@pytest.fixture(scope="session")
def app(db_url, instance_dir, redis_url):
    return make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    s = app.extensions["db"].factory()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "db_url" not in request.fixturenames:
        return
    url = request.getfixturevalue("db_url")
    from services.models import metadata
    engine = _engine(url)
    tables = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            existing = set(inspect(conn).get_table_names())
            names = ", ".join(f'"{t}"' for t in tables if t in existing)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in reversed(tables):
                conn.execute(text(f'DELETE FROM "{t}"'))


_engines: dict = {}


def _engine(url):
    if url not in _engines:
        _engines[url] = create_engine(url)
    return _engines[url]


pytest_plugins = ["tests.factories.fixtures", "tests.fixtures.clock"]
