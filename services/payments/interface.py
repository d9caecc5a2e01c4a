"""What other domains use of payments without settling an order: the gateway boundary they are
handed (services.deps) and its error. Settling, refunding and paying out still go through
services.payments.service (the buying knot, see .importlinter)."""
from __future__ import annotations

from services.payments.gateway import GatewayError, PaymentGateway

__all__ = ["GatewayError", "PaymentGateway"]
