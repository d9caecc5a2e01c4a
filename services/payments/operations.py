"""The payment operations outbox: a call to the payment provider is *recorded* in the domain
transaction that decides it, and made only after that transaction committed (relay.py), so no
provider call ever waits while order, payment or payout rows are locked, and a crash can never
leave money moved at the provider with the decision that asked for it rolled back.

States: pending -> sent -> done | failed (and sent -> pending when a sender died or the provider
failed, to be sent again with the same idempotency key). Recording is plain data: this module
makes no call and imports no handler, so domain services can use it without cycles.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock, pagination
from services.payments.models import OperationState as St, PaymentOperation

# Order ids whose operations were recorded in this session's transaction: the edge relays them
# right after the commit (marketplace/api/payments/relay.py), the reconciliation job otherwise.
TOUCHED = "huanxin.payment_operations"

CAPTURE, TRANSFER, REVERSAL, CANCEL, REFUND = "capture", "transfer", "reversal", "cancel", "refund"
AMOUNT = "amount"           # a new amount on an unpaid intent (the order's subsidy or credit changed)
INTENT = "intent"           # the payment intent of a new order, created after the placement committed
WITHDRAWAL = "withdrawal"   # store credit paid out to the consumer's Connect account (no order)
# Ids of operations without an order recorded in this session's transaction (relayed like TOUCHED).
TOUCHED_OPS = "huanxin.payment_operations.no_order"

# ---- trade-in payouts (no order) ----
# A trade-in's cash payout, a transfer to the consumer's Connect account; `payout_id` is the
# trade-in payout (services.tradeins), whose answer goes through ports.TradeInPayouts.
TRADEIN_PAYOUT = "tradein_payout"


def request(session: Session, kind: str, *, order_id: uuid.UUID | None, key: str, amount_fen: int, args: dict,
            payout_id: uuid.UUID | None = None) -> PaymentOperation:
    """Record that `kind` must be sent to the provider with idempotency key `key`, due now. The
    caller holds the lock on the order, so two callers cannot record the same key at once.
    Asking again for the same key (a retrying job, a second accept) makes the existing operation
    due now instead of adding one: a `sent` one is sent again, which the key makes safe. A `done`
    operation is left alone (its effect is already recorded) and so is a `failed` one (an
    operator decides)."""
    now = clock.now(session)
    op = session.scalar(select(PaymentOperation).where(PaymentOperation.idempotency_key == key).with_for_update())
    if op is None:
        op = PaymentOperation(kind=kind, order_id=order_id, payout_id=payout_id, amount_fen=amount_fen,
                              idempotency_key=key, request=args, state=St.PENDING, attempts=0,
                              next_attempt_at=now, created_at=now)
        session.add(op)
    elif op.state in (St.PENDING, St.SENT):
        op.state, op.next_attempt_at = St.PENDING, now
        op.amount_fen, op.request = amount_fen, args
    session.flush()
    if order_id is None:
        session.info.setdefault(TOUCHED_OPS, set()).add(op.id)
    else:
        session.info.setdefault(TOUCHED, set()).add(order_id)
    return op


def external(provider: str) -> bool:
    """True when the payment's money sits at a provider reached over the network (Stripe):
    cash and store credit are recorded in place, with no outside call to defer."""
    return provider not in ("offline", "credit")


def in_flight(session: Session, kind: str, *, payout_id: uuid.UUID) -> bool:
    """True while an operation of `kind` for the payout is recorded but not yet applied."""
    return session.scalar(select(PaymentOperation.id).where(
        PaymentOperation.kind == kind, PaymentOperation.payout_id == payout_id,
        PaymentOperation.state.in_((St.PENDING, St.SENT))).limit(1)) is not None


def of_kind(session: Session, kind: str, *, order_id) -> list[PaymentOperation]:
    """The order's operations of `kind`, oldest first."""
    return list(session.scalars(select(PaymentOperation).where(
        PaymentOperation.order_id == order_id, PaymentOperation.kind == kind).order_by(PaymentOperation.created_at)))


def for_order(session: Session, order_id) -> list[PaymentOperation]:
    return list(session.scalars(select(PaymentOperation).where(PaymentOperation.order_id == order_id)
                                .order_by(PaymentOperation.created_at)))


def flagged(session: Session, *, since: datetime | None = None) -> list[PaymentOperation]:
    """Operations given up on (bounded attempts spent, a refusal, or past the provider's
    idempotency window): what an operator must look at."""
    stmt = select(PaymentOperation).where(PaymentOperation.state == St.FAILED)
    if since is not None:
        stmt = stmt.where(PaymentOperation.updated_at >= since)
    return list(session.scalars(stmt.order_by(PaymentOperation.updated_at.desc())))


def listed(session: Session, *, state: St | None, cursor, limit):
    """Operations for an operator, newest first (all states, or one): `failed` ones wait for a
    person; `pending` and `sent` ones are still being retried by the relay."""
    stmt = select(PaymentOperation)
    if state is not None:
        stmt = stmt.where(PaymentOperation.state == state)
    return pagination.page(session, stmt, PaymentOperation, cursor, limit)
