"""The order's side of a payment operation's answer (services/payments/relay.py sends the call
after commit and applies the answer in a short transaction that has locked the order first): a
capture completes the order, a confirmed refund is counted on it, a failure flags it for people.
Reached by payments through the `Settlement` port (services/payments/ports.py)."""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.disputes import interface as disputes
from services.orders import interface as orders
from services.orders.models import OrderStatus as S
from services.payments import interface as payments
from services.payments.interface import GatewayError, PaymentGateway
from services.payments.models import PaymentOperation, Refund

log = logging.getLogger(__name__)


def intent_refused(session: Session, op: PaymentOperation) -> None:
    """The provider refused to start the payment (never a timeout): an order still waiting for
    it is cancelled now rather than at its reservation's expiry."""
    order = orders.lock(session, op.order_id)
    if order.status in (S.CREATED, S.PAYMENT_PENDING):
        orders.cancel_order(session, order, None, actor_id=None, by="provider",
                            reason=f"the payment provider refused the payment ({op.last_error or 'declined'})"[:300])


def capture_applied(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    """The provider captured `op.amount_fen`: recorded on the payment (once), then the order that
    waited for it completes (an accepted order; a disputed one whose resolution asked for this
    capture completes as that decision)."""
    order = orders.lock(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    # A webhook may have recorded the capture first: then only what is still missing is done.
    if payments.record_captured(pay, op.amount_fen, result.get("charge_id")):
        audit.record(session, None, "payment.capture", "order", order.id,
                     after={"captured_fen": op.amount_fen, "provider": pay.provider})
    if order.status == S.ACCEPTED:
        orders.complete(session, order, gateway)
    elif order.status == S.DISPUTED and op.request.get("action") and not disputes.dispute_open(session, order.id):
        # The capture a dispute resolution decided (release or partial refund): the order
        # completes as the operator's decision, now that the money is in.
        actor = op.request.get("actor_id")
        orders.complete(session, order, gateway, actor_id=uuid.UUID(actor) if actor else None,
                        action=op.request["action"])


def capture_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    """A capture attempt failed: noted on the payment, and the order shows `capture pending`."""
    order = orders.lock(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    pay.last_error = f"capture failed: {e.code}"[:200]
    order.attention = f"capture pending: {e.code}"[:200]
    log.warning("capture failed", extra={"order_id": str(order.id), "code": e.code})


def refund_applied(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    """The provider confirmed a refund: counted on the payment (unless a `charge.refunded` event
    already did), then on the order; `refund pending` clears once nothing is pending."""
    order = orders.lock(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    row = session.scalar(select(Refund).where(Refund.id == uuid.UUID(op.request["refund_id"])).with_for_update())
    counted = payments.record_refund_done(session, pay, row, result["id"], result.get("status"))
    if counted:   # else a charge.refunded webhook already applied it to the order
        orders.apply_refund(session, order, pay, gateway, counted, actor_id=row.created_by,
                            reason=op.request.get("audit_reason") or row.reason)
    if order.attention and order.attention.startswith("refund pending") and not payments.refund_pending_fen(session, pay):
        order.attention = None


def refund_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    """A refund attempt failed: its Refund row stays `pending` (it keeps counting against what
    may still be refunded, so it is never offered twice), the order shows `refund pending`."""
    order = orders.lock(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    pay.last_error = f"refund failed: {e.code}"[:200]
    order.attention = f"refund pending: {e.code}"[:200]
    log.warning("refund failed", extra={"order_id": str(order.id), "code": e.code})
