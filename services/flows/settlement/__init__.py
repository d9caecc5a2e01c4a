"""Settlement: where money moving at the payment provider meets orders and disputes.

Payments sits below orders and disputes (.importlinter) and moves money; this flow, one level up,
does what the provider's answers mean for an order or a dispute:
- a payment operation's answer (services/payments/relay.py sends it after commit): payments calls
  the `Settlement` port it is handed (`SETTLEMENT`, built into services.deps by the composition
  root), whose methods are here and in `operations.py`;
- a Stripe event: `handle(session, event, gateway=)` stores it once and runs its handler from
  `HANDLERS` (the order and dispute events of `events.py`, plus payments' own).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.disputes import interface as disputes
from services.flows.settlement import operations
from services.flows.settlement.events import ORDER_EVENTS
from services.orders import interface as orders
from services.orders.models import Order
from services.payments import interface as payments
from services.payments.interface import Handler, PaymentGateway


@dataclass(frozen=True)
class OrderSettlement:
    """services.payments.ports.Settlement for the real orders and disputes."""

    def lock_order(self, session: Session, order_id) -> Order:
        return orders.lock(session, order_id)

    def dispute_open(self, session: Session, order_id) -> bool:
        return disputes.dispute_open(session, order_id)

    def platform_credit_owed(self, order: Order) -> int:
        return orders.platform_credit_owed(order)

    intent_refused = staticmethod(operations.intent_refused)
    capture_applied = staticmethod(operations.capture_applied)
    capture_failed = staticmethod(operations.capture_failed)
    refund_applied = staticmethod(operations.refund_applied)
    refund_failed = staticmethod(operations.refund_failed)


SETTLEMENT = OrderSettlement()

# Every Stripe event the platform acts on: payments' own (a seller account) and the ones that
# move orders and disputes.
HANDLERS: dict[str, Handler] = {**payments.HANDLERS, **ORDER_EVENTS}


def handle(session: Session, event: dict, *, gateway: PaymentGateway) -> str:
    """Apply one verified Stripe event (stored once: a replay is "duplicate"); returns the outcome.
    Conflict `webhook_retry_later` when it names an order not committed yet (Stripe sends it again)."""
    return payments.handle_event(session, event, gateway=gateway, handlers=HANDLERS)
