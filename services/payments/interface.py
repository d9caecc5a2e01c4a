"""What other domains use of payments without settling an order: the gateway boundary they are
handed (services.deps), its error and that error as a domain error (`domain_error`), the offline
(cash) gateway the demo seeds pay with, a user's seller account (`account_for`: where trade-in
payouts and withdrawals go) and an after-commit payment operation that is not an order's
(`request_operation(session, WITHDRAWAL, ...)`: withdrawals). Settling, refunding and paying out
an order still go through services.payments.service (the buying knot, see .importlinter)."""
from __future__ import annotations

from services.payments.gateway import GatewayError, PaymentGateway
from services.payments.offline import OfflineGateway
from services.payments.operations import WITHDRAWAL, request as request_operation
from services.payments.service import account_for, domain_error

__all__ = ["GatewayError", "OfflineGateway", "PaymentGateway", "WITHDRAWAL", "account_for", "domain_error",
           "request_operation"]
