"""Stripe events that move orders and disputes (the table `HANDLERS`, joined with payments' own in
services.flows.settlement). The event itself is stored once by services.payments.interface
`handle_event`; each handler here finds the payment, locks the order and then the payment (order
first, as everywhere else) and applies only what moves the payment forward.

Events can arrive late, twice or out of order: what is stale is ignored, and an event that proves
an earlier step we have not seen (a capture proves the authorisation) applies that step first.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock
from services.credit.interface import record_event
from services.disputes import interface as disputes
from services.errors import Conflict
from services.orders import interface as orders
from services.orders.models import Order, OrderStatus as S
from services.payments import interface as payments
from services.payments.interface import Handler, PaymentGateway
from services.payments.models import Payment, PaymentStatus

log = logging.getLogger(__name__)


# ---- finding and locking ------------------------------------------------------------------------

def _locked(session: Session, pay_id, order_id) -> tuple[Order, Payment]:
    order = orders.lock(session, order_id)
    pay = session.scalar(select(Payment).where(Payment.id == pay_id).with_for_update()
                         .execution_options(populate_existing=True))
    return order, pay


def _by_intent(session: Session, intent_id, metadata: dict | None) -> tuple[Order, Payment] | None:
    pay = session.scalar(select(Payment).where(Payment.intent_id == intent_id)) if intent_id else None
    if pay is None:
        if (metadata or {}).get("order_id"):
            raise Conflict("the order of this payment is not committed yet", code="webhook_retry_later")
        return None   # not one of ours
    return _locked(session, pay.id, pay.order_id)


def _by_charge(session: Session, obj: dict) -> tuple[Order, Payment] | None:
    intent = obj.get("payment_intent")
    intent_id = intent.get("id") if isinstance(intent, dict) else intent
    found = _by_intent(session, intent_id, None) if intent_id else None
    if found is None and obj.get("charge"):
        pay = session.scalar(select(Payment).where(Payment.charge_id == obj["charge"]))
        found = _locked(session, pay.id, pay.order_id) if pay else None
    return found


def _ensure_captured(session: Session, order: Order, pay: Payment, amount_fen: int, charge_id,
                     gateway: PaymentGateway) -> None:
    """The provider says the money was captured: bring payment and order up to that point."""
    if pay.status == PaymentStatus.REQUIRES_PAYMENT:
        payments.record_authorised(pay, amount_fen)
    payments.record_captured(pay, amount_fen, charge_id)
    if order.status == S.PAYMENT_PENDING:
        orders.move(session, order, S.PAID_HELD, action="authorised")
    if order.status in (S.PAID_HELD, S.HANDED_OVER):
        orders.move(session, order, S.ACCEPTED, action="accepted_by_capture")
    if order.status == S.ACCEPTED:
        orders.complete(session, order, gateway)
    elif order.status == S.CANCELLED:
        # Never expected (we cancel at the provider before cancelling the order): flag it loudly.
        order.attention = "money captured on a cancelled order: refund it"
        log.error("capture seen on a cancelled order", extra={"order_id": str(order.id)})


# ---- handlers ------------------------------------------------------------------------------------

def on_authorised(session, pi, event, gateway) -> str:
    found = _by_intent(session, pi.get("id"), pi.get("metadata"))
    if found is None:
        return "ignored"
    order, pay = found
    if order.status in (S.CANCELLED, S.REFUNDED) and pay.status != PaymentStatus.CAPTURED:
        # Authorised after we cancelled (a late confirmation): the hold is released right after
        # this event commits (a payment operation, retried until Stripe confirms), not under the lock.
        payments.request_operation(session, payments.CANCEL, order_id=order.id, key=payments.key(order, "cancel-late"),
                           amount_fen=0, args={"intent_id": pay.intent_id})
        return "releasing_late_authorisation"
    amount = int(pi.get("amount_capturable") or pi.get("amount") or order.payable_fen)
    return "processed" if orders.mark_authorised(session, order, pay, amount) else "stale"


def on_captured(session, pi, event, gateway) -> str:
    found = _by_intent(session, pi.get("id"), pi.get("metadata"))
    if found is None:
        return "ignored"
    order, pay = found
    if pay.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) and order.status != S.ACCEPTED:
        return "stale"
    amount = int(pi.get("amount_received") or pay.authorised_fen or order.payable_fen)
    charge = pi.get("latest_charge")
    _ensure_captured(session, order, pay, amount, charge.get("id") if isinstance(charge, dict) else charge, gateway)
    return "processed"


def on_succeeded(session, pi, event, gateway) -> str:
    """payment_intent.succeeded: for an escrow payment (captured at once) the money is collected
    and held by the platform, and the order is paid, nothing more: acceptance completes it and
    pays the seller. For a manual-capture payment it is the capture (on_captured)."""
    found = _by_intent(session, pi.get("id"), pi.get("metadata"))
    if found is None:
        return "ignored"
    order, pay = found
    if pay.capture_method != payments.AUTOMATIC:
        return on_captured(session, pi, event, gateway)
    if pay.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        return "stale"
    amount = int(pi.get("amount_received") or pi.get("amount") or order.payable_fen)
    charge = pi.get("latest_charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    if order.status == S.PAYMENT_PENDING:
        orders.mark_authorised(session, order, pay, amount)   # paid: the seller is told to ship
    else:
        payments.record_authorised(pay, amount)
    payments.record_captured(pay, amount, charge_id)
    if order.status in (S.CANCELLED, S.REFUNDED):
        # Paid after the order ended (a late wallet confirmation): everything goes back.
        payments.return_escrow(session, order, pay, "paid after the order was cancelled")
        return "refunding_late_payment"
    return "processed"


def on_failed(session, pi, event, gateway) -> str:
    found = _by_intent(session, pi.get("id"), pi.get("metadata"))
    if found is None:
        return "ignored"
    order, pay = found
    err = pi.get("last_payment_error") or {}
    pay.failures += 1
    # A failed attempt is a fact about the buyer even when a later attempt already succeeded.
    record_event(session, order.buyer_id, "payment_failed", ref_type="order", ref_id=order.id,
                 detail={"code": str(err.get("code") or err.get("decline_code") or "unknown")[:40]},
                 occurred_at=clock.now(session))
    if pay.status != PaymentStatus.REQUIRES_PAYMENT:
        return "stale"
    pay.last_error = f"payment failed: {err.get('code') or 'unknown'}"[:200]
    return "processed"


def on_canceled(session, pi, event, gateway) -> str:
    found = _by_intent(session, pi.get("id"), pi.get("metadata"))
    if found is None:
        return "ignored"
    order, pay = found
    if pay.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) or order.status in (S.CANCELLED, S.REFUNDED):
        return "stale"
    pay.status = PaymentStatus.CANCELLED
    reason = f"payment canceled at the provider ({pi.get('cancellation_reason') or 'no reason'})"
    if order.status in (S.CREATED, S.PAYMENT_PENDING, S.PAID_HELD):
        orders.cancel_order(session, order, gateway, actor_id=None, by="provider", reason=reason)
        return "processed"
    # After handover the authorisation lapsed (cards hold ~7 days): an operator must sort it out.
    order.attention = "card authorisation lapsed before capture"
    audit.record(session, None, "order.authorisation_lapsed", "order", order.id,
                 after={"status": order.status.value}, reason=reason)
    return "attention"


def on_refunded(session, charge, event, gateway) -> str:
    found = _by_charge(session, charge)
    if found is None:
        return "ignored"
    order, pay = found
    if pay.status in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.AUTHORISED) and charge.get("captured", True):
        _ensure_captured(session, order, pay, int(charge.get("amount_captured") or pay.authorised_fen),
                         charge.get("id"), gateway)
    total = int(charge.get("amount_refunded") or 0)
    if total <= pay.refunded_fen or pay.status != PaymentStatus.CAPTURED:
        return "stale"
    delta = total - pay.refunded_fen
    payments.apply_refunded(pay, total)
    orders.apply_refund(session, order, pay, gateway, delta, actor_id=None, reason="refund seen at the provider")
    return "processed"


def on_dispute_created(session, dispute, event, gateway) -> str:
    found = _by_charge(session, dispute)
    if found is None:
        return "ignored"
    order, pay = found
    disputes.chargeback_opened(session, order, pay, provider_dispute_id=dispute["id"],
                               reason=str(dispute.get("reason") or ""), gateway=gateway)
    return "processed"


def on_dispute_closed(session, dispute, event, gateway) -> str:
    found = _by_charge(session, dispute)
    if found is None:
        return "ignored"
    order, pay = found
    status = "won" if dispute.get("status") in ("won", "warning_closed") else "lost"
    disputes.chargeback_closed(session, order, pay, provider_dispute_id=dispute["id"], status=status,
                               reason=str(dispute.get("reason") or ""), gateway=gateway)
    return "processed"


ORDER_EVENTS: dict[str, Handler] = {
    "payment_intent.amount_capturable_updated": on_authorised,
    "payment_intent.succeeded": on_succeeded,
    "payment_intent.payment_failed": on_failed,
    "payment_intent.canceled": on_canceled,
    "charge.refunded": on_refunded,
    "charge.dispute.created": on_dispute_created,
    "charge.dispute.closed": on_dispute_closed,
}
