"""An app for tests: the real create_app on a test database, with the test settings."""
from __future__ import annotations

import os
from pathlib import Path

from marketplace import create_app
from tests.factories.clock import TEST_CLOCK
from tests.factories.passwords import TEST_PASSWORDS


def make_app(db_url: str, instance_dir: Path, *, deps: dict | None = None, **overrides):
    """A test app on `db_url`; its clock is the suite's TEST_CLOCK (tests/factories/clock.py) and its
    password hasher TEST_PASSWORDS (tests/factories/passwords.py) unless `deps` gives others, and
    `deps` may replace any other collaborator (services.deps.Deps)."""
    os.environ["INSTANCE_PATH"] = str(instance_dir)
    cfg = {"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "ID_HASH_KEY": "test-id-hash-key",
           "STORAGE_DIR": str(instance_dir / "uploads"), "RATELIMIT_ENABLED": False, "TESTING": True,
           # tests read what they just wrote: no seconds-old seller summaries (test_seller_standing
           # checks the cache itself)
           "SELLER_SUMMARY_CACHE_SECONDS": 0}
    cfg.update(overrides)
    return create_app(cfg, deps={"clock": TEST_CLOCK, "passwords": TEST_PASSWORDS, **(deps or {})})
