"""What other domains use of disputes: whether an order's dispute is open (a payout waits), and a
chargeback opened or closed at the provider (the settlement flow, services.flows.settlement, on
Stripe's events)."""
from __future__ import annotations

from services.disputes.service import chargeback_closed, chargeback_opened, dispute_open

__all__ = ["chargeback_closed", "chargeback_opened", "dispute_open"]
