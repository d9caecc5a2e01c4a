"""What other domains use of disputes: a chargeback opened or closed at the provider (payments'
webhooks, inside the buying knot, see .importlinter)."""
from __future__ import annotations

from services.disputes.service import chargeback_closed, chargeback_opened

__all__ = ["chargeback_closed", "chargeback_opened"]
