"""Every trade-in action through its service function, from every state: it works from the states
it may start from and is a 409 `invalid_state` (naming the allowed moves) from all the others."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from services import clock
from services.errors import InvalidState
from services.tradeins import handling, quotes, settlement, states
from services.tradeins.models import Handover, InspectionPhoto, PayoutMethod, Status, TradeIn
from services.tradeins.ports import Deps, NoPickups
from tests.factories.tradeins import phone_answers, phone_quote, seed_table


@pytest.fixture
def world(session, consumer, recycler, operator):
    seed_table(session)
    deps = Deps(pickups=NoPickups())
    body = phone_quote()
    t = quotes.create_quote(session, consumer.user, body, deps)
    t.handler_org_id, t.handover_method, t.payout_method = recycler.org_id, Handover.DROPOFF, PayoutMethod.STORE_CREDIT
    t.final_fen, t.offer_fen = t.quoted_fen, t.quoted_fen // 2
    session.add(InspectionPhoto(tradein_id=t.id, storage_key="x", content_type="image/png", size_bytes=1, width=1,
                                height=1, uploaded_by=recycler.id))
    session.commit()
    return {"t": t, "deps": deps, "imei": body["imei"], "consumer": consumer.user, "recycler": recycler.user,
            "operator": operator.user, "point": recycler.org_id}


def _actions(w):
    tid, deps = w["t"].id, w["deps"]
    accept_body = {"handover": {"method": "dropoff", "collection_point_org_id": w["point"]},
                   "payout": {"method": "store_credit"}}
    return {
        "accept": lambda s: quotes.accept(s, w["consumer"], tid, accept_body, deps),
        "cancel": lambda s: quotes.cancel(s, w["consumer"], tid, deps),
        "collect": lambda s: handling.collect(s, w["recycler"], tid),
        "receive": lambda s: handling.receive(s, w["recycler"], tid),
        "inspect": lambda s: handling.inspect(s, w["recycler"], tid, {"answers": phone_answers(), "imei": w["imei"]},
                                              deps),
        "accept_offer": lambda s: handling.accept_offer(s, w["consumer"], tid),
        "decline_offer": lambda s: handling.decline_offer(s, w["consumer"], tid, deps),
        "return_locked": lambda s: handling.give_up_locked(s, w["consumer"], tid, deps),
        "release": lambda s: handling.release_blocked(s, w["operator"], tid, "reviewed"),
        "settle": lambda s: settlement.settle(s, w["recycler"], tid, deps),
        "ship_return": lambda s: handling.ship_return(s, w["recycler"], tid, "SF", "SF0001"),
        "confirm_returned": lambda s: handling.confirm_returned(s, w["consumer"], tid),
    }


EXPECTED_TARGET = {"inspect": Status.INSPECTED, "ship_return": Status.RETURNING}


@pytest.mark.parametrize("action", sorted(set(states.ACTIONS) - {"expire", "offer_timeout"}))
def test_action_from_every_state(session, world, action):
    fn = _actions(world)[action]
    starts, target = states.ACTIONS[action]
    for current in Status:
        session.execute(update(TradeIn).where(TradeIn.id == world["t"].id).values(
            status=current, offer_expires_at=clock.now(session) + timedelta(days=1)))
        session.commit()
        if current in starts:
            t = fn(session)
            assert t.status == (target or EXPECTED_TARGET[action]), (action, current)
        else:
            with pytest.raises(InvalidState) as e:
                fn(session)
            assert e.value.extra["current"] == current.value, (action, current)
            assert e.value.extra["allowed"] == sorted(s.value for s in states.TRANSITIONS[current])
        session.rollback()


def test_expiry_job_only_moves_what_is_due(session, world):
    t = world["t"]
    for current in Status:
        past = clock.now(session) - timedelta(seconds=1)
        session.execute(update(TradeIn).where(TradeIn.id == t.id).values(status=current, expires_at=past,
                                                                          offer_expires_at=past))
        session.commit()
        moved = quotes.expire_due(session, world["deps"])
        session.refresh(t)
        want = {Status.QUOTED: Status.EXPIRED, Status.COUNTER_OFFERED: Status.RETURNING}.get(current, current)
        assert (moved, t.status) == (int(current in (Status.QUOTED, Status.COUNTER_OFFERED)), want), current
        session.rollback()
