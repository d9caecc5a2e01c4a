"""The payment gateway boundary: plain dataclasses in and out, one Protocol, two implementations
(Stripe, and the offline cash-on-handover default). Services never see a Stripe object.

Every mutating call takes an idempotency key chosen by the caller from the order and the step, so
that retrying after a timeout can never capture, refund or transfer twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

CURRENCY = "cny"


class GatewayError(Exception):
    """A payment provider call failed. `declined` means the buyer's payment method was refused
    (a 402 for the client); otherwise the provider or the network failed (a 503, retry later)."""

    def __init__(self, message: str, *, code: str = "gateway_error", declined: bool = False):
        super().__init__(message)
        self.code = code
        self.declined = declined


@dataclass(frozen=True)
class Intent:
    """A payment intent as the provider sees it. Amounts are integer fen."""
    id: str
    status: str                      # provider status, e.g. requires_payment_method, requires_capture
    amount_fen: int
    client_secret: str | None = None
    amount_capturable_fen: int = 0
    amount_received_fen: int = 0
    charge_id: str | None = None
    # What the buyer must do next, as the provider says: {"type": "alipay_handle_redirect",
    # "url": ...} or {"type": "wechat_pay_display_qr_code", "data": ..., "image_data_url": ...}.
    next_action: dict | None = None


@dataclass(frozen=True)
class RefundResult:
    id: str
    amount_fen: int
    status: str


@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False


@dataclass(frozen=True)
class TransferResult:
    id: str
    amount_fen: int


@dataclass(frozen=True)
class IntentRequest:
    amount_fen: int
    order_id: str
    idempotency_key: str
    description: str = ""
    metadata: dict = field(default_factory=dict)
    method: str = "card"              # card | alipay | wechat_pay (services.orders.models.PaymentMethod)
    capture_method: str = "manual"    # manual (hold, captured later) | automatic (collected at once)
    return_url: str | None = None     # where Alipay sends the buyer back after paying


class PaymentGateway(Protocol):
    name: str            # "stripe" | "offline"
    method: str          # "card" | "cash": how the buyer pays through this gateway
    holds_funds: bool    # True when money is authorised, held and captured through the provider

    def create_intent(self, req: IntentRequest) -> Intent: ...

    def update_amount(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent: ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def capture(self, intent_id: str, amount_fen: int, *, idempotency_key: str) -> Intent: ...

    def cancel(self, intent_id: str, *, idempotency_key: str) -> Intent: ...

    def refund(self, intent_id: str, amount_fen: int, reason: str, *,
               idempotency_key: str) -> RefundResult: ...

    def create_account(self, owner_ref: str, email: str | None, *,
                       idempotency_key: str) -> ConnectedAccount: ...

    def account_link(self, account_id: str, *, refresh_url: str, return_url: str,
                     idempotency_key: str) -> str: ...

    def transfer(self, account_id: str, amount_fen: int, *, order_id: str, charge_id: str | None,
                 idempotency_key: str) -> TransferResult: ...

    def reverse_transfer(self, transfer_id: str, amount_fen: int, *,
                         idempotency_key: str) -> TransferResult: ...
