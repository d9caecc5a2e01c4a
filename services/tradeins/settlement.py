"""Paying for trade-ins: prepayment on acceptance for trusted consumers, settlement once the value
is agreed, and clawbacks when a prepaid consumer turns out to owe money back.

A clawback is recovered from the consumer's store credit at once, then from any later payout to
them, and otherwise stands as a payment request until its due date; how it ends (paid or unpaid)
is a credit event, as is an inspection that found the item worse than declared.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock
from services.credit.interface import record_event
from services.db import Checkpoint, each_locked, no_checkpoint
from services.errors import Conflict, NotFound, ValidationFailed
from services.ledger import interface as ledger
from services.payments import interface as payments
from services.tradeins import common, payouts as payout_answers, states
from services.tradeins.models import (Clawback, ClawbackRecovery, Payout, PayoutMethod, Status, TradeIn)
from services.tradeins.ports import Deps


def _channel(session: Session, t: TradeIn, deps: Deps) -> str:
    if t.payout_method == PayoutMethod.STORE_CREDIT:
        return "ledger"
    # Looked up at each payout: a consumer may finish Connect onboarding after accepting.
    t.payout_account = deps.cash.destination(session, t.consumer_id)
    return "stripe" if t.payout_account else "offline"


def _apply_to_clawbacks(session: Session, t: TradeIn, amount: int) -> int:
    """Use up to `amount` of a payout on the consumer's open clawbacks, oldest first."""
    used = 0
    for cb in session.scalars(select(Clawback).where(Clawback.user_id == t.consumer_id,
                                                     Clawback.status.in_(("open", "unpaid")))
                              .order_by(Clawback.created_at).with_for_update()):
        take = min(cb.amount_fen - cb.recovered_fen, amount - used)
        if take <= 0:
            break
        _recover(session, cb, take, "payout", reference=f"tradein:{t.id}")
        used += take
    return used


def _pay(session: Session, t: TradeIn, amount: int, kind: str, deps: Deps) -> Payout:
    channel = _channel(session, t, deps)
    deducted = _apply_to_clawbacks(session, t, amount)
    net, reference = amount - deducted, None
    key = f"tradein:{t.id}:{kind}"
    if net > 0 and channel == "ledger":
        entry = ledger.issue_store_credit(session, t.consumer_id, t.org_id, net, ref_type="tradein", ref_id=t.id,
                                          idempotency_key=key, memo=f"trade-in {t.brand} {t.model}")
        reference = f"ledger:{entry.id}"
    payout = Payout(tradein_id=t.id, user_id=t.consumer_id, kind=kind, method=t.payout_method, channel=channel,
                    amount_fen=amount, deducted_fen=deducted, reference=reference, created_at=clock.now(session),
                    status=payout_answers.SENT)
    session.add(payout)
    if net > 0 and channel == "stripe":
        # Recorded here, sent after commit by services/payments/relay.py: no Stripe call while
        # the trade-in row is locked. Its answer comes back through services.tradeins.payouts.
        payout.status = payout_answers.PENDING
        session.flush()
        payments.request_operation(session, payments.TRADEIN_PAYOUT, order_id=None, key=key, amount_fen=net,
                                   payout_id=payout.id,
                                   args={"account_id": t.payout_account, "ref": f"tradein-{t.id}"})
    t.paid_fen += amount
    return payout


def prepay(session: Session, t: TradeIn, deps: Deps) -> Payout | None:
    """Pay a trusted consumer on acceptance, up to their prepayment limit. Cash can only be
    prepaid by transfer, made after commit (the payout is `pending` until Stripe answers; a
    refused transfer is paid as platform store credit, services/tradeins/payouts.py)."""
    if _channel(session, t, deps) == "offline" or t.quoted_fen <= 0:
        return None
    limit = deps.credit.prepayment_limit_fen(session, t.consumer_id)
    amount = min(t.quoted_fen, limit)
    if amount <= 0:
        return None
    payout = _pay(session, t, amount, "prepayment", deps)
    session.flush()
    t.prepaid_fen = amount
    return payout


def settle(session: Session, actor, tradein_id, deps: Deps) -> TradeIn:
    """Pay what is still due on an agreed value (inspected -> paid); if the consumer was prepaid
    more than the agreed value, open a clawback for the difference. A locked device is never paid.
    A cash transfer is only recorded here (payout `pending`) and sent after commit."""
    t = common.lock(session, actor, tradein_id)
    if actor is not None and not (actor.is_operator or common.is_staff_of(actor, t) or actor.id == t.consumer_id):
        raise NotFound("no such trade-in")
    states.check_action(t.status, "settle")
    if t.inspection and t.inspection.get("answers", {}).get("activation_lock_off") is False:
        raise Conflict("a locked device cannot be paid for", code="device_locked")
    due = (t.final_fen or 0) - t.paid_fen
    if due > 0:
        _pay(session, t, due, "settlement", deps)
    elif due < 0:
        open_clawback(session, t, -due, deps, "prepaid more than the agreed value")
    common.move(session, t, Status.PAID, getattr(actor, "id", None))
    session.flush()
    return t


def open_clawback(session: Session, t: TradeIn, amount: int, deps: Deps, why: str) -> Clawback:
    """Record what the consumer owes back and take what their store credit covers at once."""
    cb = Clawback(tradein_id=t.id, user_id=t.consumer_id, amount_fen=amount, recovered_fen=0, status="open",
                  due_at=clock.now(session) + timedelta(days=deps.settings.clawback_due_days))
    session.add(cb)
    session.flush()
    common.record(session, t, t.status, t.status, None, f"clawback {amount} fen: {why}")
    taken, entry = ledger.take_up_to(session, t.consumer_id, t.org_id, amount, ref_type="tradein_clawback",
                                     ref_id=cb.id, idempotency_key=f"clawback:{cb.id}:store_credit")
    if taken:
        _recover(session, cb, taken, "store_credit", reference=f"ledger:{entry.id}")
    return cb


def _recover(session: Session, cb: Clawback, amount: int, source: str, *, reference: str | None = None,
             note: str | None = None) -> None:
    now = clock.now(session)
    session.add(ClawbackRecovery(clawback_id=cb.id, source=source, amount_fen=amount, reference=reference,
                                 note=note, at=now))
    cb.recovered_fen += amount
    if cb.recovered_fen >= cb.amount_fen:
        cb.status, cb.closed_at = "paid", now
        record_event(session, cb.user_id, "clawback_paid", ref_type="tradein", ref_id=cb.tradein_id,
                     value=cb.amount_fen, occurred_at=now)
    session.flush()


def claw_back_prepayment(session: Session, t: TradeIn, deps: Deps, why: str) -> Clawback | None:
    """The item goes back (or never came): everything paid for it is owed back."""
    if t.paid_fen <= 0:
        return None
    return open_clawback(session, t, t.paid_fen, deps, why)


def record_payment(session: Session, operator, clawback_id, amount_fen: int, reference: str | None,
                   note: str | None = None) -> Clawback:
    """An operator records money the consumer paid against a clawback (the payment request). Audited."""
    cb = session.scalar(select(Clawback).where(Clawback.id == clawback_id).with_for_update())
    if cb is None:
        raise NotFound("no such clawback")
    outstanding = cb.amount_fen - cb.recovered_fen
    if outstanding <= 0:
        raise Conflict("this clawback is already paid", code="clawback_closed")
    if amount_fen > outstanding:
        raise ValidationFailed("more than is owed", fields={"amount_fen": [f"At most {outstanding} fen is owed."]})
    _recover(session, cb, amount_fen, "payment", reference=reference, note=note)
    audit.record(session, operator.id, "tradein.clawback_payment", "tradein_clawback", cb.id,
                 after={"amount_fen": amount_fen, "recovered_fen": cb.recovered_fen}, reason=note)
    return cb


def mark_overdue(session: Session, *, checkpoint: Checkpoint = no_checkpoint) -> int:
    """Periodic: open clawbacks past their due date become unpaid (a credit event); `checkpoint`
    after each."""
    now, n = clock.now(session), 0
    for cb in each_locked(session, Clawback, Clawback.status == "open", Clawback.due_at <= now):
        cb.status = "unpaid"
        record_event(session, cb.user_id, "clawback_unpaid", ref_type="tradein", ref_id=cb.tradein_id,
                     value=cb.amount_fen - cb.recovered_fen, occurred_at=now)
        session.flush()
        checkpoint()
        n += 1
    return n


def clawbacks_for(session: Session, t: TradeIn) -> list[Clawback]:
    return list(session.scalars(select(Clawback).where(Clawback.tradein_id == t.id).order_by(Clawback.created_at)))


def payouts_for(session: Session, t: TradeIn) -> list[Payout]:
    return list(session.scalars(select(Payout).where(Payout.tradein_id == t.id).order_by(Payout.created_at)))


def outstanding_fen(session: Session, user_id) -> int:
    """What the user still owes back on open or unpaid clawbacks (0 when nothing)."""
    rows = session.execute(select(Clawback.amount_fen, Clawback.recovered_fen).where(
        Clawback.user_id == user_id, Clawback.status.in_(("open", "unpaid")))).all()
    return sum(a - r for a, r in rows)
