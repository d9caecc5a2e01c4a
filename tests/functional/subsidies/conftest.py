"""HTTP helpers for the subsidy tests: pools, till sales and reservations through the API."""
from __future__ import annotations

import pytest

from tests.factories.subsidies import sale_payload


def open_pool(client, operator, programme: str, region: str, budget_fen: int) -> dict:
    r = client.post("/api/v1/subsidies/pools", json={"programme": programme, "region": region,
                                                     "budget_fen": budget_fen}, headers=operator.headers)
    assert r.status_code == 201, r.json
    return r.json


def record_sale(client, retailer, **kw) -> dict:
    r = client.post("/api/v1/subsidies/sales", json=sale_payload(**kw), headers=retailer.headers)
    assert r.status_code == 201, r.json
    return r.json


def reserve_sale(client, retailer, sale_id):
    return client.post("/api/v1/subsidies/reservations", json={"sale_id": sale_id}, headers=retailer.headers)


@pytest.fixture
def phone_pool(client, operator):
    """National 2025 digital programme, Beijing pool with room for 10 phones at 450 yuan."""
    return open_pool(client, operator, "CN-2025-digital", "110000", 450000)


@pytest.fixture
def appliance_pool(client, operator):
    """National 2025 appliance programme, Shanxi pool with ample room."""
    return open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)


@pytest.fixture
def digital_pool(client, operator):
    """National 2025 digital programme, Beijing pool with ample room."""
    return open_pool(client, operator, "CN-2025-digital", "110000", 10_000_000)


@pytest.fixture(autouse=True)
def _fresh_pool_snapshot(session):
    # Quotes read pools through a short per-app snapshot; tables are truncated between tests.
    from services.subsidies import pools
    pools.invalidate_cache(session)
    yield
    pools.invalidate_cache(session)
