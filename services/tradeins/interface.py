"""What other domains use of trade-ins: completing a trade-in once its pickup is collected (the
collection flow)."""
from __future__ import annotations

from services.tradeins.handling import on_pickup_collected

__all__ = ["on_pickup_collected"]
