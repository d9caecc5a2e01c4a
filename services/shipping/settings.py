"""The knobs of shipping (built from services/settings.py by marketplace/container.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class ShippingSettings:
    deadline_days: int = 3                 # the seller ships within this long after payment
    webhook_tolerance_seconds: int = 300   # a carrier webhook's timestamp may be this far off
    secrets: dict[str, str] = field(default_factory=dict, repr=False)   # carrier code -> HMAC secret

    @property
    def deadline(self) -> timedelta:
        return timedelta(days=self.deadline_days)
