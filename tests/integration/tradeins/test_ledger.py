"""The store-credit ledger on PostgreSQL: balanced entries, no negative balances (the CHECK backs
the conditional UPDATE), idempotent movements, refunds, clawbacks and statements."""
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, NotFound
from services.ledger import service as ledger
from services.ledger.service import Leg


def test_an_unbalanced_entry_moves_nothing(session, consumer):
    acc = ledger.store_credit_account(session, consumer.id)
    issuer = ledger.issuer_account(session)
    with pytest.raises(ValueError):
        ledger.post(session, "adjustment", [Leg(acc.id, 500), Leg(issuer.id, -400)])
    with pytest.raises(ValueError):
        ledger.post(session, "adjustment", [Leg(acc.id, 500)])
    assert ledger.balance(session, consumer.id) == 0


def test_spend_refund_and_idempotency(session, consumer, retailer):
    org = retailer.org_id
    first = ledger.issue_store_credit(session, consumer.id, org, 5000, ref_type="tradein", ref_id="t1",
                                      idempotency_key="tradein:t1")
    again = ledger.issue_store_credit(session, consumer.id, org, 5000, ref_type="tradein", ref_id="t1",
                                      idempotency_key="tradein:t1")
    assert first.id == again.id and ledger.balance(session, consumer.id, org) == 5000
    order = uuid.uuid4()
    ledger.spend_store_credit(session, consumer.id, org, 2000, order_id=order)
    ledger.spend_store_credit(session, consumer.id, org, 2000, order_id=order)  # a retry: once only
    assert ledger.balance(session, consumer.id, org) == 3000
    with pytest.raises(Conflict) as e:
        ledger.spend_store_credit(session, consumer.id, org, 3001, order_id=uuid.uuid4())
    assert e.value.code == "insufficient_store_credit"
    # credit at one retailer is not spendable on the platform or elsewhere
    with pytest.raises(Conflict):
        ledger.spend_store_credit(session, consumer.id, None, 1, order_id=uuid.uuid4())
    ledger.refund_store_credit(session, order)
    ledger.refund_store_credit(session, order)
    assert ledger.balance(session, consumer.id, org) == 5000
    assert ledger.refund_store_credit(session, uuid.uuid4()) == []
    issuer = ledger.issuer_account(session, org)
    assert issuer.balance_fen == -5000
    session.commit()


def test_take_up_to_takes_what_there_is(session, consumer):
    assert ledger.take_up_to(session, consumer.id, None, 100, ref_type="x", ref_id="1", idempotency_key="k0") == (0, None)
    ledger.issue_store_credit(session, consumer.id, None, 700, ref_type="t", ref_id="1", idempotency_key="k1")
    taken, entry = ledger.take_up_to(session, consumer.id, None, 1000, ref_type="x", ref_id="1", idempotency_key="k2")
    assert taken == 700 and entry.kind == "clawback" and ledger.balance(session, consumer.id) == 0


def test_the_database_refuses_a_negative_consumer_balance(session, consumer):
    acc = ledger.store_credit_account(session, consumer.id)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE ledger_accounts SET balance_fen = -1 WHERE id = :id"), {"id": acc.id})
    session.rollback()


def test_statement_is_newest_first_and_private(session, consumer, other_consumer, operator):
    for n in range(3):
        ledger.issue_store_credit(session, consumer.id, None, 100 * (n + 1), ref_type="tradein", ref_id=str(n),
                                  idempotency_key=f"s{n}")
    session.commit()
    acc = ledger.store_credit_account(session, consumer.id)
    got, rows, nxt = ledger.statement(session, consumer.user, acc.id, cursor=None, limit=2)
    assert [p.balance_after_fen for p, _ in rows] == [600, 300] and nxt
    _, rest, end = ledger.statement(session, consumer.user, acc.id, cursor=nxt, limit=2)
    assert [p.balance_after_fen for p, _ in rest] == [100] and end is None
    assert ledger.statement(session, operator.user, acc.id, cursor=None, limit=5)[0].id == acc.id
    with pytest.raises(NotFound):
        ledger.statement(session, other_consumer.user, acc.id, cursor=None, limit=5)


def test_a_refused_leg_undoes_the_legs_before_it(session, consumer):
    """The counter account sorts first, so its leg is applied before the refused one."""
    from services.ledger.models import AccountKind, LedgerAccount
    ledger.issue_store_credit(session, consumer.id, None, 100, ref_type="t", ref_id="1", idempotency_key="u1")
    acc = ledger.store_credit_account(session, consumer.id)
    first = LedgerAccount(id=uuid.UUID(int=1), key="issuer:test-first", kind=AccountKind.ISSUER, allow_negative=True,
                          balance_fen=0)
    session.add(first)
    session.flush()
    with pytest.raises(Conflict):
        ledger.post(session, "spend", [Leg(acc.id, -101), Leg(first.id, 101)])
    session.commit()
    session.expire_all()
    assert (acc.balance_fen, first.balance_fen) == (100, 0)
