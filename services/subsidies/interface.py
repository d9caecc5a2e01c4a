"""What other domains use of subsidy reservations (the rows they join on are in
services.subsidies.models): reserve, redeem, release and claw back a subsidy by reservation
(`reserve`, `redeem`, ...) or by order (`reserve_for_order`, `redeem_order`, ...), and the port
orders implement (`OrderSide`) with the facts of a sale (`SaleFacts`)."""
from __future__ import annotations

from services.subsidies.reservations import (OrderSide, SaleFacts, clawback, clawback_order, redeem, redeem_order,
                                             release, release_order, reserve, reserve_for_order)

__all__ = ["OrderSide", "SaleFacts", "clawback", "clawback_order", "redeem", "redeem_order", "release",
           "release_order", "reserve", "reserve_for_order"]
