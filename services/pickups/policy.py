"""Booking rules that operators tune (the app builds one from PICKUP_* settings)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    # Rescheduling and cancellation by the consumer close this long before the slot starts.
    cutoff: timedelta = timedelta(hours=2)
    # The earliest bookable slot starts this long from now (a recycler needs time to plan).
    lead: timedelta = timedelta(hours=1)
    horizon_days: int = 14
    # A booking not reached this long after its slot ended is the recycler's no-show.
    no_show_grace: timedelta = timedelta(hours=2)
    # Open bookings a consumer may hold at once (their own, not a retailer's or a trade-in's):
    # without a cap two accounts could take every place of a recycler's slots. 0 = no cap.
    max_open_bookings: int = 3

    @classmethod
    def from_config(cls, cfg: dict) -> "Policy":
        return cls(cutoff=timedelta(minutes=int(cfg.get("PICKUP_CUTOFF_MINUTES", 120))),
                   lead=timedelta(minutes=int(cfg.get("PICKUP_LEAD_MINUTES", 60))),
                   horizon_days=int(cfg.get("PICKUP_HORIZON_DAYS", 14)),
                   no_show_grace=timedelta(minutes=int(cfg.get("PICKUP_NO_SHOW_GRACE_MINUTES", 120))),
                   max_open_bookings=int(cfg.get("PICKUP_MAX_OPEN_BOOKINGS", 3)))


DEFAULT = Policy()
