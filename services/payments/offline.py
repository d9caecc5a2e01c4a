"""The embedded default: cash on handover. No provider holds the money, so authorise, capture
and cancel only record what happened; the seller confirms the cash in hand. Connect accounts and
transfers do not exist offline: the seller already has the cash."""
from __future__ import annotations

from services.payments.gateway import (ConnectedAccount, GatewayError, Intent, IntentRequest,
                                       RefundResult, TransferResult)


class OfflineGateway:
    name = "offline"
    method = "cash"
    holds_funds = False

    def create_intent(self, req: IntentRequest) -> Intent:
        return Intent(id=f"cash_{req.order_id}", status="requires_confirmation", amount_fen=req.amount_fen)

    def update_amount(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent:
        return Intent(id=intent_id, status="requires_confirmation", amount_fen=amount_fen)

    def retrieve_intent(self, intent_id: str) -> Intent:
        return Intent(id=intent_id, status="requires_confirmation", amount_fen=0)

    def capture(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent:
        return Intent(id=intent_id, status="succeeded", amount_fen=amount_fen, amount_received_fen=amount_fen)

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent:
        return Intent(id=intent_id, status="canceled", amount_fen=0)

    def refund(self, intent_id: str, amount_fen: int, reason: str, *, idempotency_key: str) -> RefundResult:
        # The seller hands the cash back in person; the record is what the platform keeps.
        return RefundResult(id=f"cashrefund_{idempotency_key}", amount_fen=amount_fen, status="succeeded")

    def create_account(self, owner_ref: str, email: str | None, *, idempotency_key: str) -> ConnectedAccount:
        raise GatewayError("payouts need Stripe (set STRIPE_API_KEY)", code="payouts_unavailable")

    def account_link(self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str) -> str:
        raise GatewayError("payouts need Stripe (set STRIPE_API_KEY)", code="payouts_unavailable")

    def transfer(self, account_id: str, amount_fen: int, *, order_id: str, charge_id: str | None,
                 idempotency_key: str) -> TransferResult:
        raise GatewayError("payouts need Stripe (set STRIPE_API_KEY)", code="payouts_unavailable")

    def reverse_transfer(self, transfer_id: str, amount_fen: int, *, idempotency_key: str) -> TransferResult:
        raise GatewayError("payouts need Stripe (set STRIPE_API_KEY)", code="payouts_unavailable")
