"""Batch jobs commit each item on its own: a worker that dies mid-batch loses nothing that was
already done at the payment provider, and the next run does not do it twice."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace import jobs as job_runner
from services.orders import jobs as orders
from services.orders.models import Order, OrderStatus as S
from services.tradeins import common, quotes
from tests.factories.orders import Recording, order_in, stripe_gateway
from tests.factories.tradeins import phone_quote


class DiesOnSecondCapture(Recording):
    """The worker process is killed while capturing the second order of the batch."""

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if name != "capture":
            return call

        def capture(*args, **kwargs):
            if self.names().count("capture") == 1:
                self.calls.append(("capture", args, kwargs))
                raise RuntimeError("worker killed")
            return call(*args, **kwargs)
        return capture


def test_auto_capture_killed_mid_batch_keeps_what_it_captured_and_never_captures_twice(
        app, session, consumer, other_consumer, operator, monkeypatch):
    made = [order_in(session, S.ACCEPTED, buyer=other_consumer, seller=consumer, operator=operator,
                     gateway=stripe_gateway()) for _ in range(3)]
    gw = DiesOnSecondCapture(stripe_gateway())
    monkeypatch.setattr(job_runner, "gateway", lambda: gw)

    with pytest.raises(RuntimeError, match="worker killed"):
        job_runner.run_job(app, job_runner.scheduled(orders.auto_capture))
    session.expire_all()
    statuses = [session.get(Order, o.id).status for o in made]
    # The order captured before the crash is recorded as such; it used to roll back with the batch.
    assert statuses.count(S.COMPLETED) == 1 and statuses.count(S.ACCEPTED) == 2, statuses

    healthy = Recording(stripe_gateway())
    monkeypatch.setattr(job_runner, "gateway", lambda: healthy)
    assert job_runner.run_job(app, job_runner.scheduled(orders.auto_capture)) == 2
    session.expire_all()
    assert {o.status for o in session.scalars(select(Order))} == {S.COMPLETED}
    assert len(healthy.keys("capture")) == 2  # the completed one is not captured again


def test_quote_expiry_killed_mid_batch_keeps_what_it_expired(app, client, session, consumer, table, freeze,
                                                             monkeypatch):
    """The trade-in job (and the pickup jobs, bound the same way) commits after each row: a
    worker that dies on the second quote keeps the first one expired, and the next run expires
    the rest without touching the first again."""
    fc = freeze(datetime(2026, 3, 1, 8, tzinfo=timezone.utc))
    made = [client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json["id"]
            for _ in range(3)]
    fc.advance(timedelta(days=8))
    real_move, moves = common.move, []

    def dies_on_second(session_, t, *args, **kwargs):
        moves.append(t.id)
        if len(moves) == 2:
            raise RuntimeError("worker killed")
        return real_move(session_, t, *args, **kwargs)
    monkeypatch.setattr(common, "move", dies_on_second)
    with pytest.raises(RuntimeError, match="worker killed"):
        job_runner.run_job(app, job_runner.scheduled(quotes.expire_due))
    statuses = [client.get(f"/api/v1/tradeins/{t}", headers=consumer.headers).json["status"] for t in made]
    assert statuses.count("expired") == 1 and statuses.count("quoted") == 2, statuses

    monkeypatch.setattr(common, "move", real_move)
    assert job_runner.run_job(app, job_runner.scheduled(quotes.expire_due)) == 2
    assert {client.get(f"/api/v1/tradeins/{t}", headers=consumer.headers).json["status"] for t in made} == {"expired"}
