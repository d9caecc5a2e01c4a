"""What other domains use of offers: ending the open offers of a listing that was sold (the sales
flow, services.flows.sales, when an order completes)."""
from __future__ import annotations

from services.offers.service import end_on_sale

__all__ = ["end_on_sale"]
