"""What other domains use of disputes: whether an order's dispute is open (a payout waits), a
chargeback opened or closed at the provider (the settlement flow, services.flows.settlement, on
Stripe's events), and a `return` decision and its refund once the returned item is delivered
(shipping; its demo seed opens and decides one), and the seller paid when that return lapsed
unsent (shipping's lapse job)."""
from __future__ import annotations

from services.disputes.service import (chargeback_closed, chargeback_opened, dispute_open, open_dispute,
                                       refund_returned, release_lapsed, resolve, return_decided)

__all__ = ["chargeback_closed", "chargeback_opened", "dispute_open", "open_dispute", "refund_returned", "release_lapsed",
           "resolve", "return_decided"]
