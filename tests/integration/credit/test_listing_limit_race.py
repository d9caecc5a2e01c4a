"""A seller racing submissions for the last slot of their band's listing limit gets exactly one
through (PostgreSQL: threads, one session each; an advisory lock per seller decides)."""
from __future__ import annotations

from sqlalchemy import func, select

from services.credit import service as credit
from services.errors import Conflict
from services.flows.publishing import PUBLISH_GATES
from services.listings import service as listings
from services.listings.models import ACTIVE_STATES, Listing
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.races import race


def test_eight_submissions_racing_for_the_last_slot_get_one_through(app, session, consumer):
    operator = make_user(session, "operator")
    credit.add_override(session, operator.user, consumer.id, kind="score", score=400, reason="poor band: 3 at once")
    ids = [listings.create(session, consumer.user, fridge_payload()).id for _ in range(10)]
    for lid in ids[:2]:
        listings.transition(session, consumer.user, lid, "submit", gates=PUBLISH_GATES)
    session.commit()
    assert app.extensions["db"].engine.dialect.name == "postgresql"
    racers = ids[2:]

    def submit(lid):
        return lambda s: listings.transition(s, s.get(type(consumer.user), consumer.id), lid, "submit",
                                             gates=PUBLISH_GATES) and "ok"

    outcomes = [r.code if isinstance(r, Conflict) else r for r in race(app, [submit(lid) for lid in racers])]
    assert sorted(outcomes) == ["listing_limit_reached"] * 7 + ["ok"]
    session.expire_all()
    active = session.scalar(select(func.count()).select_from(Listing).where(
        Listing.seller_id == consumer.id, Listing.status.in_(ACTIVE_STATES)))
    assert active == 3
