"""Subsidy tests: quotes read pools through a short per-process snapshot, emptied around each test."""
from __future__ import annotations

import pytest

from services.subsidies import pools


@pytest.fixture(autouse=True)
def _fresh_pool_snapshot(session):
    # Quotes read pools through a short per-app snapshot; tables are truncated between tests.
    pools.invalidate_cache(session)
    yield
    pools.invalidate_cache(session)
