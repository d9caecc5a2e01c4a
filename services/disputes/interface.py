"""What other domains use of disputes: a chargeback opened or closed at the provider (payments'
webhooks, inside the buying knot, see .importlinter), and a `return` decision and its refund
once the returned item is delivered (shipping; its demo seed opens and decides one)."""
from __future__ import annotations

from services.disputes.service import (chargeback_closed, chargeback_opened, open_dispute, refund_returned, resolve,
                                      return_decided)

__all__ = ["chargeback_closed", "chargeback_opened", "open_dispute", "refund_returned", "resolve", "return_decided"]
