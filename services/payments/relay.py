"""Sends recorded payment operations (operations.py) to the provider, after commit, and repairs
the ones a crash or an outage left half-done.

One operation is three steps, and no provider call happens while a transaction is open:
1. claim: `UPDATE ... SET state='sent' WHERE state='pending'` and commit (two senders never
   both claim it; the claim survives a crash, so the operation is not forgotten);
2. the provider call, with the operation's own idempotency key, no transaction open;
3. a short transaction that locks the order, then the operation, and applies the answer only if
   the operation is still `sent` (a second sender that raced it changes nothing).

A sender killed between 1 and 3 leaves the operation `sent`: `reconcile` sends it again after
STALE_AFTER with the same key, and the provider answers with the object it already made, so
nothing is captured, refunded or transferred twice. Failures back off exponentially; after
MAX_ATTEMPTS, on a refusal, or once the provider's idempotency window has passed the operation
is `failed` and audited (`payment_operation.failed`) for an operator; past that window a capture
or a cancel is first read back from the intent (done there: recorded; never happened: sent again
under a new key).
"""
from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import timedelta
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import audit, clock
from services.errors import DomainError
from services.payments.effects import EFFECTS
from services.payments.gateway import GatewayError, PaymentGateway
from services.payments.models import OperationState as St, PaymentOperation as Op
from services.payments.ports import settlement

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=2)     # well beyond the gateway timeout (STRIPE_TIMEOUT_SECONDS)
KEY_WINDOW = timedelta(hours=23)       # Stripe keeps idempotency keys for 24 hours


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _end(session: Session) -> None:
    # Whatever the caller had open is committed first: the call must not run inside it.
    if session.in_transaction():
        session.commit()


def _lock(session: Session, op_id, order_id) -> Op | None:
    # A reused session (a job's, a test's) may hold rows loaded before another transaction
    # changed them: everything is read afresh once the order is locked.
    session.expire_all()
    if order_id is not None:   # an operation without an order (a withdrawal) locks only itself
        settlement(session).lock_order(session, order_id)
    return session.scalar(select(Op).where(Op.id == op_id).with_for_update()
                          .execution_options(populate_existing=True))


def send(session: Session, op_id, gateway: PaymentGateway) -> str:
    """Claim, call and record one operation. Returns "done", "retry", "failed" or "skipped"
    (another sender has it, or it is no longer pending). Commits; never called inside a
    transaction the caller still needs."""
    _end(session)
    now = clock.now(session)
    row = session.execute(
        update(Op).where(Op.id == op_id, Op.state == St.PENDING)
        .values(state=St.SENT, attempts=Op.attempts + 1, sent_at=now, updated_at=now)
        .returning(Op.kind, Op.order_id, Op.amount_fen, Op.idempotency_key, Op.request),
        execution_options={"synchronize_session": False}).first()
    session.commit()
    if row is None:
        return "skipped"
    sent = row._asdict()
    effect = EFFECTS[sent["kind"]]
    try:
        result = effect.call(gateway, sent)
    except GatewayError as e:
        return _record_failure(session, op_id, sent["order_id"], e)
    return _record_result(session, op_id, sent["order_id"], result, gateway)


def _record_result(session: Session, op_id, order_id, result: dict, gateway: PaymentGateway) -> str:
    try:
        op = _lock(session, op_id, order_id)
        if op is None or op.state != St.SENT:
            session.commit()
            return "skipped"
        op.state, op.result, op.last_error = St.DONE, result, None
        EFFECTS[op.kind].apply(session, op, result, gateway)
        session.commit()
        return "done"
    except DomainError as e:
        # The provider did it but the order can no longer take it (e.g. moved on meanwhile):
        # keep the provider's answer and hand it to an operator rather than guess.
        session.rollback()
        _flag(session, op_id, order_id, f"done at the provider, not applicable: {e.code}", result=result)
        return "failed"
    except BaseException:
        session.rollback()
        raise


def _record_failure(session: Session, op_id, order_id, e: GatewayError) -> str:
    try:
        op = _lock(session, op_id, order_id)
        if op is None or op.state != St.SENT:
            session.commit()
            return "skipped"
        op.last_error = f"{e.code}: {e}"[:200]
        effect = EFFECTS[op.kind]
        effect.failed(session, op, e)
        refused = e.declined or e.code in effect.final_codes
        if refused or op.attempts >= MAX_ATTEMPTS:
            op.state = St.FAILED
            if refused:
                _refused(session, op)
            _audit_failed(session, op)
            outcome = "failed"
        else:
            op.state, op.next_attempt_at = St.PENDING, clock.now(session) + backoff(op.attempts)
            outcome = "retry"
        session.commit()
        return outcome
    except BaseException:
        session.rollback()
        raise


def _audit_failed(session: Session, op: Op) -> None:
    target = ("order", op.order_id) if op.order_id is not None else ("payment_operation", op.id)
    audit.record(session, None, "payment_operation.failed", *target,
                 after={"kind": op.kind, "amount_fen": op.amount_fen, "attempts": op.attempts,
                        "idempotency_key": op.idempotency_key, "error": op.last_error})


def _refused(session: Session, op: Op) -> None:
    # Only a refusal proves the provider did nothing: then what waited for the call may be undone
    # (a withdrawal's credit given back). Attempts spent on timeouts prove nothing: an operator
    # looks before anything is undone.
    effect = EFFECTS[op.kind]
    if effect.refused is not None:
        effect.refused(session, op)


def _flag(session: Session, op_id, order_id, why: str, result: dict | None = None) -> None:
    op = _lock(session, op_id, order_id)
    if op is None or op.state not in (St.PENDING, St.SENT):
        session.commit()
        return
    op.state, op.last_error = St.FAILED, why[:200]
    if result is not None:
        op.result = result
    _audit_failed(session, op)
    session.commit()


def relay(session: Session, gateway: PaymentGateway, *, order_ids: Iterable | None = None,
          kinds: Iterable[str] | None = None, op_ids: Iterable | None = None, limit: int = 200) -> Counter:
    """Send every due pending operation (of these orders / kinds), oldest first, including those
    the applied ones record (a capture records its payout's transfer). Returns the operations
    done, counted by kind. Each is tried at most once per call."""
    _end(session)
    done: Counter = Counter()
    tried: set = set()
    order_ids = list(order_ids) if order_ids is not None else None
    op_ids = list(op_ids) if op_ids is not None else None
    for _ in range(limit):
        stmt = select(Op.id).where(Op.state == St.PENDING, Op.next_attempt_at <= clock.now(session))
        if order_ids is not None:
            stmt = stmt.where(Op.order_id.in_(order_ids))
        if op_ids is not None:
            stmt = stmt.where(Op.id.in_(op_ids))
        if kinds is not None:
            stmt = stmt.where(Op.kind.in_(list(kinds)))
        if tried:
            stmt = stmt.where(Op.id.not_in(tried))
        found = session.execute(stmt.order_by(Op.created_at, Op.id).limit(1)).first()
        session.commit()
        if found is None:
            break
        op_id = found[0]
        tried.add(op_id)
        kind = session.scalar(select(Op.kind).where(Op.id == op_id))
        session.commit()
        if send(session, op_id, gateway) == "done":
            done[kind] += 1
    return done


# What the intent's status says about a capture or a cancel whose key Stripe may have forgotten.
_ALREADY_DONE = {"capture": ("succeeded",), "cancel": ("canceled",)}
_NOT_YET_DONE = {"capture": ("requires_capture",), "cancel": ("requires_capture", "requires_payment_method",
                                                             "requires_confirmation", "requires_action")}


def _read_back(session: Session, op_id, order_id, gateway: PaymentGateway) -> None:
    """An operation older than Stripe's idempotency window cannot be resent blindly: a capture or
    a cancel reads the intent back (no transaction open) and is recorded as done, or re-keyed
    and sent again when the intent shows it never happened; anything else goes to an operator."""
    op = session.get(Op, op_id)
    kind, intent_id, key = op.kind, (op.request or {}).get("intent_id"), op.idempotency_key
    session.commit()
    if kind not in _ALREADY_DONE or not intent_id:
        _flag(session, op_id, order_id, "idempotency window passed: check the provider before resending")
        return
    try:
        intent = gateway.retrieve_intent(intent_id)
    except GatewayError as e:
        log.warning("read-back failed", extra={"op": str(op_id), "code": e.code})
        return   # next run tries again
    if intent.status in _ALREADY_DONE[kind]:
        op = _lock(session, op_id, order_id)
        if op is None or op.state not in (St.PENDING, St.SENT):
            session.commit()
            return
        result = {"intent_id": intent.id, "status": intent.status, "charge_id": intent.charge_id, "read_back": True}
        op.state, op.result, op.last_error = St.DONE, result, None
        try:
            EFFECTS[kind].apply(session, op, result, gateway)
            session.commit()
        except DomainError as e:
            session.rollback()
            _flag(session, op_id, order_id, f"done at the provider, not applicable: {e.code}", result=result)
        return
    if intent.status in _NOT_YET_DONE[kind]:
        # Never happened: a fresh key (the old one may be forgotten) and a fresh window.
        session.execute(update(Op).where(Op.id == op_id, Op.state.in_((St.PENDING, St.SENT))).values(
            state=St.PENDING, next_attempt_at=clock.now(session), created_at=clock.now(session), updated_at=clock.now(session),
            idempotency_key=f"{key[:230]}-rb{uuid.uuid4().hex[:8]}",
            last_error=f"read back {intent.status}: sent again under a new key"),
            execution_options={"synchronize_session": False})
        session.commit()
        return
    _flag(session, op_id, order_id, f"idempotency window passed; the intent is {intent.status}")


def reconcile(session: Session, gateway: PaymentGateway, *, stale_after: timedelta = STALE_AFTER) -> int:
    """The periodic repair: operations left `sent` by a sender that died (or never heard back)
    for longer than `stale_after` are sent again with the same key; anything due is sent; those
    older than the provider's idempotency window are read back or given to an operator instead
    of resent.
    Returns the number of operations completed."""
    _end(session)
    now = clock.now(session)
    for op_id, order_id in session.execute(select(Op.id, Op.order_id).where(
            Op.state.in_((St.PENDING, St.SENT)), Op.created_at <= now - KEY_WINDOW)).all():
        session.commit()
        _read_back(session, op_id, order_id, gateway)
    session.commit()
    revived = session.execute(
        update(Op).where(Op.state == St.SENT, Op.sent_at <= now - stale_after)
        .values(state=St.PENDING, next_attempt_at=now, updated_at=now,
                last_error="no answer recorded: sent again with the same key"),
        execution_options={"synchronize_session": False}).rowcount
    session.commit()
    if revived:
        log.warning("payment operations resent", extra={"count": revived})
    return sum(relay(session, gateway).values())
