"""Booking rules that operators tune (marketplace/container.py builds the app's from PICKUP_* settings)."""
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


DEFAULT = Policy()
