"""Revisions of a published listing under concurrency (PostgreSQL, real threads, the whole HTTP path):
one pending revision per listing however many edits race, and one decision per revision."""
import uuid
from collections import Counter

from sqlalchemy import select

from services.listings.models import ListingRevision, RevisionStatus
from tests.factories.races import race_clients


def test_racing_edits_of_a_published_listing_share_one_pending_revision(app, db_url, session, consumer,
                                                                         published_listing):
    assert db_url.startswith("postgresql")
    lid = published_listing["id"]
    results = race_clients(app, 8, lambda c, i: c.patch(f"/api/v1/listings/{lid}", json={"description": f"第{i}版 描述"},
                                                  headers=consumer.headers))
    assert Counter(r.status_code for r in results) == {202: 8}, [r.json for r in results]
    assert len({r.headers["Location"] for r in results}) == 1
    revs = list(session.scalars(select(ListingRevision).where(ListingRevision.listing_id == uuid.UUID(lid))))
    assert [r.status for r in revs] == [RevisionStatus.PENDING]
    assert revs[0].changes["description"] in {f"第{i}版 描述" for i in range(8)}


def test_racing_decisions_on_a_revision_give_exactly_one(app, client, session, consumer, operator,
                                                          published_listing):
    from tests.factories.accounts import make_user
    lid = published_listing["id"]
    r = client.patch(f"/api/v1/listings/{lid}", json={"title": "苹果 iPhone 13 新标题"}, headers=consumer.headers)
    rid = r.headers["Location"].rsplit("/", 1)[1]
    operators = [operator] + [make_user(session, "operator") for _ in range(5)]
    results = race_clients(app, 6, lambda c, i: c.post(
        f"/api/v1/listing-revisions/{rid}/transitions",
        json={"action": "approve" if i % 2 else "reject", "reason": "查看"}, headers=operators[i].headers))
    assert Counter(r.status_code for r in results) == {200: 1, 409: 5}, [r.json for r in results]
    winner = next(r.json for r in results if r.status_code == 200)
    title = client.get(f"/api/v1/listings/{lid}").json["title"]
    assert title == ("苹果 iPhone 13 新标题" if winner["status"] == "approved" else published_listing["title"])
