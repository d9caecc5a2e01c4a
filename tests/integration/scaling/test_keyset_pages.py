"""The listing index pages by cursor at a cost that does not grow with the catalogue (issue 21.4).

On PostgreSQL the cursor is an index condition: the scan starts at the cursor and reads one
page's rows, however deep the page. Before, `created_at < :at OR (created_at = :at AND id < :id)`
was a filter and the scan read every row before the cursor (10,000 rows for a page 500 pages deep).
"""
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from services import clock
from services.listings import service
from services.pagination import encode_cursor
from tests.factories.catalogue import bulk_listings


def _scan(plan: dict) -> dict:
    """The plan node that reads `listings`."""
    if plan.get("Relation Name") == "listings":
        return plan
    for child in plan.get("Plans", []):
        found = _scan(child)
        if found:
            return found
    return {}


def _explain(session, depth: int) -> dict:
    at, lid = session.execute(text(
        "SELECT created_at, id FROM listings WHERE status='published' ORDER BY created_at DESC, id DESC "
        "OFFSET :n LIMIT 1"), {"n": depth - 1}).one()
    stmt = service._BROWSE._statement(("status",), True)
    compiled = stmt.compile(dialect=postgresql.dialect())
    params = compiled.construct_params({"f_status": "published", "after_at": at, "after_id": lid, "page_size": 21})
    conn = session.connection()
    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled), params).scalar()[0]["Plan"]
    return _scan(plan)


def test_a_deep_page_reads_one_page_of_rows_not_every_row_before_it(db_url, session):
    assert db_url.startswith("postgresql")
    bulk_listings(session, 3000)
    session.execute(text("ANALYZE listings"))
    shallow, deep = _explain(session, 20), _explain(session, 2500)
    for scan in (shallow, deep):
        assert scan["Node Type"] == "Index Scan", scan
        assert "created_at, id" in scan["Index Cond"].replace("ROW(", ""), scan["Index Cond"]
        # One page (+1 to know there is a next), not the 2,500 rows before the cursor.
        assert scan["Actual Rows"] <= 21 and scan.get("Rows Removed by Filter", 0) == 0, scan


def test_paging_by_cursor_through_equal_timestamps_returns_each_listing_once_in_order(client, session):
    rows = bulk_listings(session, 47, same_time=True)
    seen, cursor = [], None
    while True:
        r = client.get("/api/v1/listings", query_string={"limit": 20, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.json
        seen += [item["id"] for item in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 47
    # Newest first, ties broken by id descending: the order a client resumes from.
    assert seen == [str(i) for i in sorted((row["id"] for row in rows), reverse=True)]


def test_a_cursor_past_the_last_listing_is_an_empty_page(client, session):
    bulk_listings(session, 5)
    past = encode_cursor([clock.now(session) - timedelta(days=3650), uuid.UUID(int=0)])
    r = client.get("/api/v1/listings", query_string={"cursor": past})
    assert r.status_code == 200 and r.json["items"] == [] and r.json["next_cursor"] is None
