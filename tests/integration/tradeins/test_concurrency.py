"""Races on real PostgreSQL, each contender in its own thread, session and transaction:
one quote accepted once, and store credit never spent below zero."""
import threading
import uuid

from sqlalchemy import func, select

from services.errors import Conflict, DomainError
from services.ledger import service as ledger
from services.ledger.models import JournalEntry, LedgerAccount, Posting
from services.tradeins import quotes
from services.tradeins.models import Status, TradeIn, TradeInEvent
from services.tradeins.ports import Deps, NoPickups
from tests.factories.tradeins import phone_quote, seed_table

N = 8


def _race(app, fn):
    """Run fn(session) in N threads released together; returns the outcomes."""
    barrier, results, lock = threading.Barrier(N), [], threading.Lock()

    def run():
        with app.app_context():
            s = app.extensions["db"].factory()
            try:
                barrier.wait()
                out = fn(s)
                s.commit()
            except DomainError as e:
                s.rollback()
                out = e
            finally:
                s.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=run) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_acceptance_of_one_quote_succeeds_once(app, session, consumer, recycler):
    seed_table(session)
    deps = Deps(pickups=NoPickups())
    t = quotes.create_quote(session, consumer.user, phone_quote(), deps)
    session.commit()
    body = {"handover": {"method": "dropoff", "collection_point_org_id": recycler.org_id},
            "payout": {"method": "store_credit"}}

    def accept(s):
        from services.accounts.models import User
        return quotes.accept(s, s.get(User, consumer.id), t.id, body, deps)

    results = _race(app, accept)
    won = [r for r in results if isinstance(r, TradeIn)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == N - 1
    assert all(isinstance(e, Conflict) and e.code == "invalid_state" for e in lost)
    session.expire_all()
    assert session.get(TradeIn, t.id).status == Status.ACCEPTED
    moves = session.scalars(select(TradeInEvent.to_status).where(TradeInEvent.tradein_id == t.id)).all()
    assert sorted(moves) == ["accepted", "quoted"]


def test_concurrent_spends_never_overdraw_store_credit(app, session, consumer):
    ledger.issue_store_credit(session, consumer.id, None, 1000, ref_type="test", ref_id="seed",
                              idempotency_key="seed")
    session.commit()

    def spend(s):
        return ledger.spend_store_credit(s, consumer.id, None, 300, order_id=uuid.uuid4())

    results = _race(app, spend)
    spent = [r for r in results if isinstance(r, JournalEntry)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(spent) == 3 and len(refused) == N - 3
    assert all(e.code == "insufficient_store_credit" for e in refused)
    session.expire_all()
    assert ledger.balance(session, consumer.id) == 100
    # double entry: every entry balances, and the balances are the sums of their postings
    per_entry = session.execute(select(Posting.entry_id, func.sum(Posting.amount_fen)).group_by(Posting.entry_id)).all()
    assert per_entry and all(total == 0 for _, total in per_entry)
    for acc in session.scalars(select(LedgerAccount)):
        assert acc.balance_fen == session.scalar(select(func.sum(Posting.amount_fen)).where(Posting.account_id == acc.id))
