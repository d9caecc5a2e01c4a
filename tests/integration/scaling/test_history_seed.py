"""The scale seed's history (bench/seed_history.py, issue 21): proportionate, valid, idempotent.

It runs on the demo seed, as on the scale databases, and must leave a database the app serves:
every row within its table's constraints and foreign keys (PostgreSQL enforces those on insert),
and the counters other rows hold (slot bookings, pool money, claim totals) equal to the rows that
make them up, so that a booking or a reservation the app takes later sees the truth. A second run
adds nothing, and listings, users and search documents are never written (the Elasticsearch index
built from them stays valid). A grown copy (seed_scale.grow) leaves the history rows out and gets
its own, without a listing ending up with photos twice.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from bench.seed_history import HISTORY_PREFIX, RECYCLERS, add_history, history_counts
from bench.seed_scale import TABLES, copy_statement, grow
from services.pickups.lifecycle import TRANSITIONS as PICKUP_TRANSITIONS
from services.pickups.models import BookingStatus
from services.tradeins.models import Status
from services.tradeins.states import allowed

UNTOUCHED = ("listings", "users", "search_documents")


def pickup_allowed(a: BookingStatus, b: BookingStatus) -> bool:
    return b in PICKUP_TRANSITIONS[a]


@pytest.fixture
def seeded(app, session, db_url):
    from services import demo
    demo.seed(session, n_listings=400, keyring=app.extensions["huanxin.cert_keyring"])
    session.commit()
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def _digest(conn, table: str) -> str:
    return conn.execute(text(f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t")).scalar()


def _scalar(conn, sql: str):
    return conn.execute(text(sql)).scalar()


def test_history_is_proportionate_and_every_counter_matches_its_rows(seeded):
    with seeded.connect() as c:
        before = {t: _digest(c, t) for t in UNTOUCHED}
        listings = _scalar(c, "SELECT count(*) FROM listings")
    # Denser than at scale (a trade-in and a subsidised sale per listing): 400 listings show every state.
    add_history(seeded, every={"tradein": 1, "sale": 1})
    rows = history_counts(seeded)
    with seeded.connect() as c:
        assert {t: _digest(c, t) for t in UNTOUCHED} == before
        # 1-6 photo rows on every listing, positions 0..n-1.
        per = c.execute(text("SELECT count(*), min(position), max(position) FROM listing_photos "
                             "GROUP BY listing_id")).all()
        assert len(per) == listings and all(1 <= n <= 6 and lo == 0 and hi == n - 1 for n, lo, hi in per)
        assert 2.5 * listings <= rows["listing_photos"] <= 4.5 * listings
        # Orders the history adds ended before money moved: the listing stays published, no payment.
        assert _scalar(c, f"""SELECT count(*) FROM orders o JOIN listings l ON l.id = o.listing_id
                              WHERE o.id::text LIKE '{HISTORY_PREFIX}%'
                              AND (o.status <> 'cancelled' OR l.status <> 'published' OR o.buyer_id = o.seller_id
                                   OR EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id))""") == 0
        assert rows["orders"] > 0 and rows["tradeins"] > 0 and rows["pickup_bookings"] > 0
        # Every trade-in's events walk the lifecycle from `quoted` to its status.
        for tid, status, path in c.execute(text(
                "SELECT t.id, t.status, array_agg(e.to_status ORDER BY e.at, e.id) FROM tradeins t "
                "JOIN tradein_events e ON e.tradein_id = t.id GROUP BY t.id, t.status")):
            assert path[0] == "quoted" and path[-1] == status, (tid, path)
            assert all(allowed(Status(a), Status(b)) for a, b in zip(path, path[1:])), (tid, path)
        assert {r[0] for r in c.execute(text("SELECT DISTINCT status FROM tradeins"))} == \
            {"quoted", "expired", "cancelled", "accepted", "paid"}
        # Slots hold exactly their bookings (cancelled ones gave theirs back), within capacity.
        assert _scalar(c, """SELECT count(*) FROM pickup_slots s LEFT JOIN LATERAL (
                                SELECT count(*) AS n, coalesce(sum(volume_l), 0) AS vol, coalesce(sum(weight_kg), 0) AS kg
                                FROM pickup_bookings b WHERE b.slot_id = s.id) b ON true
                             WHERE s.booked_count <> b.n OR s.booked_volume_l <> b.vol OR s.booked_weight_kg <> b.kg
                                OR s.booked_volume_l > s.capacity_volume_l OR s.booked_weight_kg > s.capacity_weight_kg""") == 0
        assert _scalar(c, "SELECT count(*) FROM pickup_bookings WHERE status = 'cancelled' AND slot_id IS NOT NULL") == 0
        assert _scalar(c, f"SELECT count(*) FROM pickup_recyclers WHERE id::text LIKE '{HISTORY_PREFIX}%'") == RECYCLERS
        # Every booking's status history walks the pickup state machine to its status.
        for bid, status, path in c.execute(text(
                "SELECT b.id, b.status, array_agg(s.to_status ORDER BY s.at, s.id) FROM pickup_bookings b "
                f"JOIN pickup_status_changes s ON s.booking_id = b.id WHERE b.id::text LIKE '{HISTORY_PREFIX}%' "
                "GROUP BY b.id, b.status")):
            assert path[0] == "requested" and path[-1] == status, (bid, path)
            assert all(pickup_allowed(BookingStatus(a), BookingStatus(b)) for a, b in zip(path, path[1:])), (bid, path)
        assert _scalar(c, f"""SELECT count(*) FROM pickup_bookings b WHERE b.id::text LIKE '{HISTORY_PREFIX}%'
                              AND NOT EXISTS (SELECT 1 FROM pickup_status_changes s WHERE s.booking_id = b.id)""") == 0
        # A pool holds what is reserved and what was redeemed, nothing else.
        assert _scalar(c, """SELECT count(*) FROM subsidy_pools p LEFT JOIN LATERAL (
                                SELECT coalesce(sum(a.amount_fen) FILTER (WHERE r.status = 'reserved'), 0) AS res,
                                       coalesce(sum(a.amount_fen) FILTER (WHERE r.status = 'redeemed'), 0) AS red
                                FROM subsidy_applied a JOIN subsidy_reservations r ON r.id = a.reservation_id
                                WHERE a.pool_id = p.id) x ON true
                             WHERE p.reserved_fen <> x.res OR p.redeemed_fen <> x.red""") == 0
        assert {r[0] for r in c.execute(text("SELECT DISTINCT status FROM subsidy_reservations"))} == \
            {"reserved", "redeemed", "released", "clawed_back"}
        # A claim is the sum of its lines, all redeemed, all of its retailer and programme.
        assert _scalar(c, """SELECT count(*) FROM subsidy_claims cl LEFT JOIN LATERAL (
                                SELECT count(*) AS n, coalesce(sum(a.amount_fen), 0) AS total,
                                       count(*) FILTER (WHERE r.status <> 'redeemed' OR r.org_id <> cl.org_id
                                                        OR a.programme_id <> cl.programme_id) AS wrong
                                FROM subsidy_applied a JOIN subsidy_reservations r ON r.id = a.reservation_id
                                WHERE a.claim_id = cl.id) x ON true
                             WHERE cl.total_fen <> x.total OR cl.items_count <> x.n OR x.wrong > 0""") == 0
        assert rows["subsidy_claims"] > 0


def test_a_second_run_adds_nothing(seeded):
    add_history(seeded)
    first = history_counts(seeded)
    report = add_history(seeded)
    assert history_counts(seeded) == first
    added = [(step, table, n) for step, r in report.items() for table, n in r.items()
             if table not in ("s", "subsidy_claims_total") and n]
    assert added == []


def test_the_app_serves_the_history(seeded, client):
    add_history(seeded, every={"sale": 1})
    page = client.get("/api/v1/listings", query_string={"limit": 20}).json["items"]
    assert page and all(item["thumbnail_url"] for item in page)
    one = client.get(f"/api/v1/listings/{page[0]['id']}").json
    assert 1 <= len(one["photos"]) <= 6
    r = client.get("/api/v1/pickups/availability", query_string=[
        ("region_code", "140105"), ("lat", "37.7365"), ("lon", "112.5657"), ("items", "appliance:refrigerator"),
        ("days", "7"), ("limit", "10")])
    assert r.status_code == 200, r.json
    assert len(r.json["recyclers"]) == 10
    with seeded.connect() as c:
        full = {(str(rid), at) for rid, at in c.execute(text(
            "SELECT recycler_id, starts_at FROM pickup_slots WHERE booked_count = capacity_count"))}
    offered = {(x["recycler_id"], datetime.fromisoformat(s["starts_at"].replace("Z", "+00:00")))
               for x in r.json["recyclers"] for s in x["slots"]}
    assert offered and not offered & full
    # A claim exports its lines with their evidence, the old item handed in among them.
    from services import demo
    token = client.post("/api/v1/accounts/login", json={"email": "operator@demo.huanxin.cn",
                                                         "password": demo.DEMO_PASSWORD}).json["access_token"]
    with seeded.connect() as c:
        claim_id, items = c.execute(text(
            f"SELECT id, items_count FROM subsidy_claims WHERE id::text LIKE '{HISTORY_PREFIX}%' LIMIT 1")).one()
    r = client.get(f"/api/v1/claims/{claim_id}/export", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json
    assert len(r.json["items"]) == items
    assert all(row["old_item_kind"] == row["kind"] and row["invoice_no"].startswith("BENCH-") for row in r.json["items"])


def test_a_grown_copy_gets_its_own_history_not_the_base_rows_twice(seeded, db_url):
    add_history(seeded)
    with seeded.connect() as c:
        assert f"NOT id::text LIKE '{HISTORY_PREFIX}%'" in copy_statement(c, "listing_photos", 2, set(TABLES))
        listings = _scalar(c, "SELECT count(*) FROM listings")
    grow(db_url, 2)
    add_history(seeded)
    with seeded.connect() as c:
        assert _scalar(c, "SELECT count(*) FROM listings") == 2 * listings
        per = [n for (n,) in c.execute(text("SELECT count(*) FROM listing_photos GROUP BY listing_id"))]
        assert len(per) == 2 * listings and max(per) <= 6
        assert _scalar(c, "SELECT count(*) FROM pickup_slots WHERE booked_count > capacity_count") == 0
        assert _scalar(c, "SELECT count(*) FROM subsidy_pools WHERE reserved_fen + redeemed_fen > budget_fen") == 0
