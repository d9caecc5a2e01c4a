"""A catalogue of published listings inserted in bulk (the demo seed's rows), for tests of how a
cost behaves as the catalogue grows."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from services import clock, identifiers
from services.listings.models import Listing, SearchOutbox
from services.listings.seed import listing_rows, region_pool
from tests.factories.accounts import make_user


def bulk_listings(session, n: int, *, same_time: bool = False, outbox: bool = False) -> list[dict]:
    """`n` published listings of one seller, committed; `same_time` gives them one created_at (ties
    for the cursor), `outbox` queues them for the search relay."""
    seller = make_user(session).user
    now = clock.now(session)
    rows = listing_rows(random.Random(21), n, [seller], now.date(), region_pool(), hasher=identifiers.hasher(session),
                        now=now)
    for row in rows:
        row.update(status="published", device_hash=None, serial_hash=None)
        if same_time:
            row["created_at"] = now - timedelta(hours=1)
    session.execute(insert(Listing), rows)
    if outbox:
        session.execute(insert(SearchOutbox), [{"listing_id": r["id"], "revision": r["revision"]} for r in rows])
    session.commit()
    return rows
