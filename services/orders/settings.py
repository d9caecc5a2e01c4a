"""The knobs of buying, passed to the services by the edge (marketplace/container.py builds the app's)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class BuyingSettings:
    platform_fee_bps: int = 500
    reservation_minutes: int = 30        # card orders: time to authorise the payment
    cash_reservation_hours: int = 48     # cash orders: time to meet and hand over
    auto_capture_days: int = 7           # acceptance and dispute window after handover
    return_window_days: int = 7          # the return window (services/orders/returns.py)
    review_publish_days: int = 14
    offer_expiry_hours: int = 48
    public_base_url: str = "http://127.0.0.1:5000"

    @property
    def acceptance_window(self) -> timedelta:
        return timedelta(days=self.auto_capture_days)

    @property
    def return_window(self) -> timedelta:
        return timedelta(days=self.return_window_days)

    @property
    def review_window(self) -> timedelta:
        return timedelta(days=self.review_publish_days)
