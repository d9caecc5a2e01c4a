"""Budgets are never over-issued and quotas never over-used under concurrency (PostgreSQL:
threads, one session each)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from services.accounts.models import Role
from services.errors import Conflict
from services.subsidies import pools, reservations, sales
from services.subsidies.models import BudgetPool, Reservation
from tests.factories.accounts import make_user
from tests.factories.subsidies import resident_id, sale_payload

PHONE_SUBSIDY = 45000  # 15% of 3,000 yuan


def _setup(app, session, n_sales: int, budget_fen: int, same_buyer: bool = False):
    retailer = make_user(session, Role.RETAILER)
    operator = make_user(session, Role.OPERATOR)
    pool = pools.create_pool(session, operator.id, "CN-2025-digital", "110000", budget_fen)
    buyer = resident_id()
    sale_ids = []
    for i in range(n_sales):
        body = sale_payload(buyer=buyer if same_buyer else resident_id(i + 1))
        if same_buyer:
            body["date"] = f"2025-06-{(i % 28) + 1:02d}"
        sale_ids.append(sales.create_sale(session, retailer.user, body).id)
    session.commit()
    return pool.id, sale_ids


def _race(app, session, sale_ids):
    """Reserve every sale at once, each in its own thread and session; count the outcomes.
    The app's connection pool (30) is the database-side limit, as in production."""
    facts = [reservations.sale_facts(session, session.get(sales.TillSale, sid)) for sid in sale_ids]
    session.commit()
    barrier = threading.Barrier(len(facts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(f):
        barrier.wait(timeout=30)
        with app.app_context():
            s = app.extensions["db"].factory()
            try:
                reservations.reserve(s, f)
                s.commit()
                result = "ok"
            except Conflict as exc:
                s.rollback()
                result = exc.code
            finally:
                s.close()
        with lock:
            outcomes.append(result)

    with ThreadPoolExecutor(max_workers=len(facts)) as pool:
        list(pool.map(attempt, facts))
    return outcomes


def test_64_concurrent_reservations_against_room_for_10(app, session):
    pool_id, sale_ids = _setup(app, session, 64, 10 * PHONE_SUBSIDY)
    assert app.extensions["db"].engine.dialect.name == "postgresql"
    outcomes = _race(app, session, sale_ids)
    assert outcomes.count("ok") == 10
    assert set(outcomes) == {"ok", "budget_exhausted"}
    session.expire_all()
    pool = session.get(BudgetPool, pool_id)
    assert (pool.reserved_fen, pool.redeemed_fen, pool.budget_fen) == (10 * PHONE_SUBSIDY, 0, 10 * PHONE_SUBSIDY)
    assert session.scalar(select(func.count(Reservation.id))) == 10


def test_one_person_racing_for_one_slot_gets_one(app, session):
    pool_id, sale_ids = _setup(app, session, 8, 100 * PHONE_SUBSIDY, same_buyer=True)
    outcomes = _race(app, session, sale_ids)
    assert outcomes.count("ok") == 1          # one phone per person in 2025
    assert set(outcomes) == {"ok", "not_eligible"}
    session.expire_all()
    assert session.get(BudgetPool, pool_id).reserved_fen == PHONE_SUBSIDY
