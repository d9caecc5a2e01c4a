"""What other domains use of payments. Payments sits below orders and disputes (.importlinter):
they move an order's money through these functions, and payments reaches back only through the
`Settlement` port they hand down (services/payments/ports.py, implemented by
services.flows.settlement).

- the gateway boundary they are handed (services.deps), its error and that error as a domain
  error (`domain_error`), the offline (cash) gateway the demo seeds pay with;
- an order's payment: `start` (its intent an `INTENT` operation), `payment_for`, `change_amount`, `record_authorised`, `capture`,
  `record_captured`, `void`, `refund` (and what is still pending: `refund_pending_fen`,
  `record_refund_done`, `apply_refunded`), money the platform holds (`AUTOMATIC` capture: `escrowed`,
  `return_escrow`), the seller's payout (`create_payout`, `settle_payout`)
  and the idempotency `key` of an order's step;
- the after-commit payment operations: `request_operation(session, KIND, ...)`, their kinds, the
  `relay` that sends them and `reconcile`, the periodic repair;
- Stripe events: `handle_event(session, event, gateway=, handlers=)` and payments' own `HANDLERS`;
- a user's seller account (`account_for`: where trade-in payouts and withdrawals go)."""
from __future__ import annotations

from services.payments.gateway import GatewayError, PaymentGateway
from services.payments.offline import OfflineGateway
from services.payments.operations import (AMOUNT, CANCEL, CAPTURE, INTENT, REFUND, REVERSAL, TRANSFER, WITHDRAWAL,
                                          request as request_operation)
from services.payments.operations import TRADEIN_PAYOUT
from services.payments.ports import Settlement, TradeInPayouts
from services.payments.relay import reconcile, relay
from services.payments.service import (AUTOMATIC, CREDIT, REFUND_PENDING, account_for, apply_refunded, capture, change_amount,
                                       create_payout, domain_error, escrowed, key, payment_for, record_authorised,
                                       record_captured, record_refund_done, refund, refund_pending_fen,
                                       return_escrow, settle_payout, start, void)
from services.payments.webhooks import HANDLERS, Handler, handle as handle_event

__all__ = ["AMOUNT", "AUTOMATIC", "CANCEL", "CAPTURE", "CREDIT", "INTENT", "GatewayError", "HANDLERS", "Handler", "OfflineGateway", "PaymentGateway",
           "REFUND", "REFUND_PENDING", "REVERSAL", "Settlement", "TRANSFER", "WITHDRAWAL", "account_for",
           "apply_refunded", "capture", "change_amount", "create_payout", "domain_error", "escrowed", "handle_event", "key",
           "payment_for", "reconcile", "record_authorised", "record_captured", "record_refund_done", "refund",
           "refund_pending_fen", "relay", "request_operation", "return_escrow", "settle_payout", "start", "void"]
__all__ += ["TRADEIN_PAYOUT", "TradeInPayouts"]
