"""What each kind of payment operation does: the provider call (made with no transaction open),
how its answer is applied to the payment, payout or order (in a short transaction that locks the
order first, as everywhere else), and what a failed attempt leaves for people to see.

What an answer changes on an order (a capture completes it, a confirmed refund reduces it) is the
settlement flow's (services/payments/ports.py `Settlement`, implemented by
services.flows.settlement): payments never imports the orders domain above it."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock
from services.ledger.models import JournalEntry, Posting
from services.ledger.interface import Leg, post as post_entry
from services.payments import notices, operations as ops, service as payments
from services.payments.gateway import GatewayError, IntentRequest, PaymentGateway
from services.payments.models import PaymentOperation, PaymentStatus, Payout, PayoutStatus
from services.payments.ports import settlement, tradein_payouts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Effect:
    call: Callable[[PaymentGateway, dict], dict]                     # (gateway, sent row) -> result
    apply: Callable[[Session, PaymentOperation, dict, PaymentGateway], None]
    failed: Callable[[Session, PaymentOperation, GatewayError], None]
    # The provider refused for good (a decline, never a timeout): undo what waited for the call.
    refused: Callable[[Session, PaymentOperation], None] | None = None
    # Error codes that are a final answer for this kind, like a decline: sending again cannot help.
    final_codes: frozenset[str] = frozenset()


# ---- the intent of a new order ---------------------------------------------------------------------

def _call_intent(gateway: PaymentGateway, op: dict) -> dict:
    args = op["request"]
    intent = gateway.create_intent(IntentRequest(
        amount_fen=op["amount_fen"], order_id=args["order_id"], idempotency_key=op["idempotency_key"],
        description=args.get("description") or "", metadata={"listing_id": args.get("listing_id") or ""},
        method=args.get("method") or "card", capture_method=args.get("capture_method") or "manual",
        return_url=args.get("return_url")))
    return {"intent_id": intent.id, "status": intent.status, "client_secret": intent.client_secret,
            "next_action": intent.next_action}


def _apply_intent(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    order = settlement(session).lock_order(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    payments.record_intent(session, order, pay, intent_id=result["intent_id"],
                           client_secret=result.get("client_secret"), next_action=result.get("next_action"))


def _intent_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    pay = payments.payment_for(session, settlement(session).lock_order(session, op.order_id), lock=True)
    pay.last_error = f"payment could not start: {e.code}"[:200]
    log.warning("intent creation failed", extra={"order_id": str(op.order_id), "code": e.code})


def _intent_refused(session: Session, op: PaymentOperation) -> None:
    # The provider refused to start the payment (never a timeout): the reservation ends now
    # rather than at its expiry, so the listing is back on sale at once.
    settlement(session).intent_refused(session, op)


# ---- capture -------------------------------------------------------------------------------------

def _call_capture(gateway: PaymentGateway, op: dict) -> dict:
    intent = gateway.capture(op["request"]["intent_id"], op["amount_fen"], idempotency_key=op["idempotency_key"])
    return {"intent_id": intent.id, "status": intent.status, "charge_id": intent.charge_id}


def _apply_capture(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    settlement(session).capture_applied(session, op, result, gateway)


def _capture_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    settlement(session).capture_failed(session, op, e)


# ---- a new amount on an unpaid intent ---------------------------------------------------------------

def _call_amount(gateway: PaymentGateway, op: dict) -> dict:
    intent = gateway.update_amount(op["request"]["intent_id"], op["amount_fen"], idempotency_key=op["idempotency_key"])
    return {"intent_id": intent.id, "status": intent.status, "amount_fen": intent.amount_fen}


def _apply_amount(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    order = settlement(session).lock_order(session, op.order_id)
    payments.apply_amount(session, order, payments.payment_for(session, order, lock=True), op)


def _amount_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    # The payment keeps showing the amount the provider has; the capture never takes more than the
    # order's payable amount, so a buyer who confirmed the old (higher) amount meanwhile is not
    # charged the difference.
    pay = payments.payment_for(session, settlement(session).lock_order(session, op.order_id), lock=True)
    pay.last_error = f"amount change to {op.amount_fen} fen failed: {e.code}"[:200]
    log.warning("amount change failed", extra={"order_id": str(op.order_id), "code": e.code})


# ---- payout transfer and reversal ----------------------------------------------------------------

def _payout(session: Session, op: PaymentOperation) -> Payout:
    return session.scalar(select(Payout).where(Payout.id == op.payout_id).with_for_update())


def _call_transfer(gateway: PaymentGateway, op: dict) -> dict:
    args = op["request"]
    result = gateway.transfer(args["account_id"], op["amount_fen"], order_id=args["order_id"],
                              charge_id=args.get("charge_id"), idempotency_key=op["idempotency_key"])
    return {"id": result.id, "amount_fen": result.amount_fen}


def _apply_transfer(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    order = settlement(session).lock_order(session, op.order_id)
    payout = _payout(session, op)
    payout.status = PayoutStatus.PAID
    payout.transfer_id = result["id"]
    payout.transferred_fen = op.amount_fen
    payout.paid_at = clock.now(session)
    payout.last_error = None
    audit.record(session, None, "payout.transfer", "order", order.id,
                 after={"net_fen": op.amount_fen, "fee_fen": payout.fee_fen, "transfer": result["id"]})
    notices.payout_sent(session, order, payout)
    # A refund while the transfer was on its way: what was overpaid is asked back now.
    payments.settle_payout(session, order, gateway)


def _transfer_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    payout = _payout(session, op)
    payout.last_error = f"transfer failed: {e.code}"[:200]
    log.warning("payout transfer failed", extra={"order_id": str(op.order_id), "code": e.code})


def _call_reversal(gateway: PaymentGateway, op: dict) -> dict:
    result = gateway.reverse_transfer(op["request"]["transfer_id"], op["amount_fen"],
                                      idempotency_key=op["idempotency_key"])
    return {"id": result.id, "amount_fen": result.amount_fen}


def _apply_reversal(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    order = settlement(session).lock_order(session, op.order_id)
    payout = _payout(session, op)
    payout.reversed_fen = max(payout.reversed_fen, op.request["total"])
    payout.last_error = None
    audit.record(session, None, "payout.reverse", "order", order.id, after={"reversed_fen": payout.reversed_fen})
    payments.settle_payout(session, order, gateway)   # a later refund may owe another reversal


def _reversal_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    payout = _payout(session, op)
    payout.last_error = f"reversal of {op.amount_fen} fen failed: {e.code}"[:200]


# ---- releasing a hold ----------------------------------------------------------------------------

def _call_cancel(gateway: PaymentGateway, op: dict) -> dict:
    intent = gateway.cancel(op["request"]["intent_id"], idempotency_key=op["idempotency_key"])
    return {"intent_id": intent.id, "status": intent.status}


def _apply_cancel(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    order = settlement(session).lock_order(session, op.order_id)
    pay = payments.payment_for(session, order, lock=True)
    if pay.status not in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        pay.status = PaymentStatus.CANCELLED
        pay.last_error = None
    audit.record(session, None, "payment.cancel", "order", order.id, after={"provider_status": result["status"]})


def _cancel_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    pay = payments.payment_for(session, settlement(session).lock_order(session, op.order_id), lock=True)
    pay.last_error = f"cancel failed: {e.code}"[:200]


# ---- refunds -------------------------------------------------------------------------------------

def _call_refund(gateway: PaymentGateway, op: dict) -> dict:
    args = op["request"]
    result = gateway.refund(args["intent_id"], op["amount_fen"], args.get("reason") or "",
                            idempotency_key=op["idempotency_key"])
    return {"id": result.id, "amount_fen": result.amount_fen, "status": result.status}


def _apply_refund(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    settlement(session).refund_applied(session, op, result, gateway)


def _refund_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    # The Refund row stays `pending` and keeps counting against what may still be refunded:
    # a refund that may have happened is never offered twice. Retried, or an operator decides.
    settlement(session).refund_failed(session, op, e)


# ---- store-credit withdrawals (no order) ------------------------------------------------------------

def _call_withdrawal(gateway: PaymentGateway, op: dict) -> dict:
    args = op["request"]
    result = gateway.transfer(args["account_id"], op["amount_fen"], order_id=args["ref"], charge_id=None,
                              idempotency_key=op["idempotency_key"])
    return {"id": result.id, "amount_fen": result.amount_fen}


def _entry(session: Session, op: PaymentOperation) -> JournalEntry:
    return session.scalar(select(JournalEntry).where(JournalEntry.id == uuid.UUID(op.request["entry_id"]))
                          .with_for_update())


def _apply_withdrawal(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    entry = _entry(session, op)
    entry.ref_id = result["id"]
    audit.record(session, entry.created_by, "store_credit.withdraw", "ledger_entry", entry.id,
                 after={"amount_fen": op.amount_fen, "transfer": result["id"], "destination": op.request["account_id"]})


def _withdrawal_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    log.warning("store credit withdrawal transfer failed", extra={"entry": op.request["entry_id"], "code": e.code})


def _withdrawal_refused(session: Session, op: PaymentOperation) -> None:
    # Stripe refused the transfer: the credit taken for it goes back, by a mirror entry (the
    # ledger is append-only), keyed so that it is written once.
    entry = _entry(session, op)
    legs = [Leg(p.account_id, -p.amount_fen) for p in session.scalars(select(Posting).where(Posting.entry_id == entry.id))]
    post_entry(session, entry.kind, legs, ref_type="payment_operation", ref_id=op.id,
               memo="withdrawal refused by the payment provider: credit given back",
               idempotency_key=f"{entry.idempotency_key}:refused"[:120], actor_id=None)
    entry.ref_type = "refused_transfer"


# ---- trade-in cash payouts (no order) --------------------------------------------------------------

def _call_tradein_payout(gateway: PaymentGateway, op: dict) -> dict:
    args = op["request"]
    result = gateway.transfer(args["account_id"], op["amount_fen"], order_id=args["ref"], charge_id=None,
                              idempotency_key=op["idempotency_key"])
    return {"id": result.id, "amount_fen": result.amount_fen}


def _apply_tradein_payout(session: Session, op: PaymentOperation, result: dict, gateway: PaymentGateway) -> None:
    tradein_payouts(session).transfer_applied(session, op, result)


def _tradein_payout_failed(session: Session, op: PaymentOperation, e: GatewayError) -> None:
    tradein_payouts(session).transfer_failed(session, op, e)


def _tradein_payout_refused(session: Session, op: PaymentOperation) -> None:
    tradein_payouts(session).transfer_refused(session, op)


TRADEIN_EFFECTS: dict[str, Effect] = {
    ops.TRADEIN_PAYOUT: Effect(_call_tradein_payout, _apply_tradein_payout, _tradein_payout_failed,
                               _tradein_payout_refused),
}


EFFECTS: dict[str, Effect] = {
    ops.INTENT: Effect(_call_intent, _apply_intent, _intent_failed, _intent_refused),
    **TRADEIN_EFFECTS,
    ops.WITHDRAWAL: Effect(_call_withdrawal, _apply_withdrawal, _withdrawal_failed, _withdrawal_refused),
    ops.REFUND: Effect(_call_refund, _apply_refund, _refund_failed),
    ops.CAPTURE: Effect(_call_capture, _apply_capture, _capture_failed),
    ops.TRANSFER: Effect(_call_transfer, _apply_transfer, _transfer_failed),
    ops.REVERSAL: Effect(_call_reversal, _apply_reversal, _reversal_failed),
    ops.CANCEL: Effect(_call_cancel, _apply_cancel, _cancel_failed),
    # Stripe takes a new amount only before the buyer confirms; afterwards it answers
    # payment_intent_unexpected_state, and will for good.
    ops.AMOUNT: Effect(_call_amount, _apply_amount, _amount_failed,
                       final_codes=frozenset({"payment_intent_unexpected_state"})),
}
