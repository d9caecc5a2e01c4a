"""What payments needs from the orders above it (docs/CONVENTIONS.md, "Cross-domain hooks").

Payments moves money and records the provider's answers; it does not know what an order or a
dispute is. Whatever a payment operation's answer changes on an order (a capture completes it, a
refund confirmed reduces it, a failure flags it for attention), and the few facts a payout needs
(is a dispute open, how much platform credit the buyer spent), come through `Settlement`. It is
implemented one level up by services.flows.settlement (`SETTLEMENT`) and handed down by the
composition root as the collaborator `services.deps.of(session).settlement`: the relay and the
payout rules reach it from any caller (a request's after-commit send, the orders' jobs, the
reconciliation job) without importing the orders domain. There is no stand-in: a session built
without it fails loudly (services.deps.of).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from services import deps

if TYPE_CHECKING:   # annotations only: payments sits below orders
    from services.orders.models import Order
    from services.payments.gateway import GatewayError, PaymentGateway
    from services.payments.models import PaymentOperation


class Settlement(Protocol):
    def lock_order(self, session: Session, order_id: Any) -> Order:
        """The order row locked FOR UPDATE (order before payment rows, everywhere); NotFound
        when there is none."""

    def dispute_open(self, session: Session, order_id: Any) -> bool:
        """True while a dispute (platform or chargeback) of the order is open: its payout waits."""

    def platform_credit_owed(self, order: Order) -> int:
        """Platform store credit the buyer spent on `order` and still has spent: the platform
        pays it to the seller (0 once the order was cancelled or refunded)."""

    def intent_refused(self, session: Session, op: PaymentOperation) -> None:
        """The provider refused for good to start the order's payment: an order still waiting
        for it is cancelled, so its listing is back on sale at once."""

    def capture_applied(self, session: Session, op: PaymentOperation, result: dict,
                        gateway: PaymentGateway) -> None:
        """The provider captured: record it on the payment and move the order on (complete it)."""

    def capture_failed(self, session: Session, op: PaymentOperation, error: GatewayError) -> None:
        """A capture attempt failed: noted on the payment and flagged on the order."""

    def refund_applied(self, session: Session, op: PaymentOperation, result: dict,
                       gateway: PaymentGateway) -> None:
        """The provider confirmed a refund: count it on the payment, then on the order."""

    def refund_failed(self, session: Session, op: PaymentOperation, error: GatewayError) -> None:
        """A refund attempt failed: noted on the payment and flagged on the order."""


def settlement(session: Session) -> Settlement:
    """The app's settlement (services.flows.settlement.SETTLEMENT unless a test gives another)."""
    return deps.of(session).settlement


# ---- trade-in payouts ------------------------------------------------------------------------------

class TradeInPayouts(Protocol):
    """What a `tradein_payout` operation's answer does to the trade-in payout it pays (implemented
    by services.tradeins.payouts `TRADEIN_PAYOUTS`, handed down as `deps.tradein_payouts`)."""

    def transfer_applied(self, session: Session, op: PaymentOperation, result: dict) -> None:
        """Stripe made the transfer: the payout records its id and is `sent`."""

    def transfer_failed(self, session: Session, op: PaymentOperation, error: GatewayError) -> None:
        """An attempt failed (it may be retried): the payout shows the error."""

    def transfer_refused(self, session: Session, op: PaymentOperation) -> None:
        """Stripe refused for good: the payout is `failed` and the consumer is paid another way."""


def tradein_payouts(session: Session) -> TradeInPayouts:
    """The app's trade-in payouts port (no stand-in: a session without one fails loudly)."""
    return deps.of(session).tradein_payouts
