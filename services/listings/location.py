"""Where a listing is, as the public may see it.

A seller's coordinates are often their home. Everyone but the people who must meet (the seller
and their organisation, operators, and the buyer of a live order) sees them rounded to two
decimals: about 1.1 km north-south and at most that east-west, enough to judge the distance. The
search index holds only the rounded point, so neither a hit nor its distance_km can be used to
find the exact one."""
from __future__ import annotations

PUBLIC_DECIMALS = 2


def public_coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_DECIMALS)
