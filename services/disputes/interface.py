"""What other domains use of disputes: a chargeback opened or closed at the provider (payments'
webhooks, inside the buying knot, see .importlinter), and a `return` decision and its refund
once the returned item is delivered (shipping)."""
from __future__ import annotations

from services.disputes.service import chargeback_closed, chargeback_opened, refund_returned, return_decided

__all__ = ["chargeback_closed", "chargeback_opened", "refund_returned", "return_decided"]
