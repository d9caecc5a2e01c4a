"""Subsidies the demo can pay: a quote says whether budget can pay it now (never just "eligible"
when no pool exists), an order's subsidy takes its region from the listing on every path, and
the demo seed opens pools its quotes can reserve against."""
from __future__ import annotations

import datetime as dt

import pytest

from services.accounts.models import Role
from services.subsidies import demo as subsidies_demo, pools, reservations
from services.subsidies.catalogue import catalogue
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish
from tests.factories.subsidies import open_pool, resident_id

pytestmark = pytest.mark.usefixtures("fast_passwords")  # many accounts; passwords are not under test

# A grade-1 fridge at 3,000 yuan bought in Lüliang: the national 2025 programme pays 20 %.
FRIDGE = {"region": "141100", "date": "2025-06-01",
          "purchase": {"kind": "refrigerator", "price_fen": 300000, "energy_grade": 1}}
SUBSIDY = 60000


def quote(client, body=FRIDGE):
    r = client.post("/api/v1/subsidies/quote", json=body)
    assert r.status_code == 200, r.json
    return r.json


def test_without_a_pool_an_eligible_quote_says_no_pool_and_not_reservable(client):
    q = quote(client)
    assert q["eligible"] is True and q["total_fen"] == SUBSIDY
    assert q["budget"] == {"status": "no_pool", "reservable": False,
                           "programmes": [{"programme": "CN-2025-appliance", "status": "no_pool"}]}


def test_a_pool_with_room_makes_the_quote_reservable(client, operator):
    open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)
    assert quote(client)["budget"] == {"status": "available", "reservable": True, "programmes": [
        {"programme": "CN-2025-appliance", "status": "available"}]}


def test_a_pool_with_less_room_than_the_line_or_closed_is_exhausted(client, operator):
    pool = open_pool(client, operator, "CN-2025-appliance", "140000", SUBSIDY - 1)
    q = quote(client)
    assert q["eligible"] is True and q["budget"]["status"] == "exhausted" and q["budget"]["reservable"] is False
    r = client.patch(f"/api/v1/subsidies/pools/{pool['id']}", json={"closed": True, "reason": "spent"},
                     headers=operator.headers)
    assert r.status_code == 200, r.json
    q = quote(client)
    assert q["eligible"] is False and [i["code"] for i in q["ineligible"]] == ["BUDGET_CLOSED"]
    assert q["budget"] == {"status": "exhausted", "reservable": False,
                           "programmes": [{"programme": "CN-2025-appliance", "status": "exhausted"}]}


def test_an_ineligible_quote_needs_no_budget(client):
    q = quote(client, {**FRIDGE, "purchase": {**FRIDGE["purchase"], "energy_grade": 3}})
    assert q["eligible"] is False and q["budget"] == {"status": "not_applicable", "reservable": False,
                                                      "programmes": []}


@pytest.fixture
def verified_buyer(session):
    return make_user(session, Role.CONSUMER, verified_id=resident_id())


def test_an_order_subsidy_takes_its_region_from_the_listing_on_every_path(client, session, retailer, operator,
                                                                           verified_buyer):
    pool = open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)
    # Placing with a subsidy: no region given, the listing's (Lüliang) is used.
    first = publish(session, retailer, operator, fridge_payload(price_fen=300000, region_code="141102"))
    r = client.post("/api/v1/orders", json={"listing_id": str(first.id), "subsidy": {"date": "2025-06-01"}},
                    headers=verified_buyer.headers)
    assert r.status_code == 201, r.json
    assert (r.json["subsidy_fen"], r.json["payable_fen"]) == (SUBSIDY, 240000)
    assert reservations.for_order(session, r.json["id"]).region_code == "141102"
    # Reserving for an order placed earlier (another buyer: one fridge a person): the same default.
    other = make_user(session, Role.CONSUMER, verified_id=resident_id())
    second = publish(session, retailer, operator, fridge_payload(price_fen=300000, region_code="141102"))
    order = client.post("/api/v1/orders", json={"listing_id": str(second.id)}, headers=other.headers).json
    r = client.post("/api/v1/subsidies/reservations", json={"order_id": order["id"],
                                                            "quote_request": {"date": "2025-06-01"}},
                    headers=other.headers)
    assert r.status_code == 201 and r.json["region"] == "141102", r.json
    [p] = [p for p in client.get("/api/v1/subsidies/pools", headers=operator.headers).json if p["id"] == pool["id"]]
    assert p["reserved_fen"] == 2 * SUBSIDY
    # A region the buyer gives still wins (a purchase delivered elsewhere), and is checked.
    third = publish(session, retailer, operator, fridge_payload(price_fen=300000, region_code="141102"))
    r = client.post("/api/v1/orders", json={"listing_id": str(third.id),
                                            "subsidy": {"date": "2025-06-01", "region": "999999"}},
                    headers=make_user(session, Role.CONSUMER, verified_id=resident_id()).headers)
    assert r.status_code == 422 and "region" in r.json["errors"], r.json


def test_demo_pools_make_running_programmes_reservable(client, session, operator):
    today = dt.date(2026, 6, 1)
    summary = subsidies_demo.seed_pools(session, operator.id, ["140000", "110000"], today=today)
    session.commit()
    pools.invalidate_cache(session)
    running = [p for p in catalogue().programmes if p.end >= today]
    expected = sum(p.covers_region(c) for p in running for c in ("140000", "110000"))
    assert expected and len(pools.list_pools(session)) == expected and str(expected) in summary[0]
    assert all(p.programme_id in {x.id for x in running} for p in pools.list_pools(session))
    # The grade-1 fridge in Lüliang: eligible, and now reservable.
    q = quote(client, {**FRIDGE, "date": "2026-06-01"})
    assert q["eligible"] is True and q["budget"]["status"] == "available" and q["budget"]["reservable"] is True


def test_the_demo_seed_opens_the_pools(app, client, session, frozen):
    """On the frozen day (2026-06-01) every programme still running in Shanxi gets a pool."""
    from services import demo
    summary = demo.seed(session, n_listings=30, certified_max=5, keyring=app.extensions["huanxin.cert_keyring"])
    session.commit()
    pools.invalidate_cache(session)
    assert any(line.startswith("subsidy budget pools: ") for line in summary)
    today = frozen.now().date()
    running = [p for p in catalogue().programmes if p.end >= today and p.covers_region("141100")]
    have = {(p.programme_id, p.region_prefix) for p in pools.list_pools(session)}
    assert running and all((p.id, "14") in have for p in running)
