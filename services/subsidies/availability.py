"""Whether the money behind a quote exists now: the policy engine says what a purchase is
eligible for, the budget pools say whether it can actually be reserved. A quote is never just
"eligible" when no pool funds it: a reservation would answer 409 `no_pool` or `budget_exhausted`.

Read from the pools' short per-process snapshot (services.subsidies.pools.snapshot), like the
closed programmes the engine already leaves out: a few seconds old at most, never a lock.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

from services.subsidies import campaigns, pools

AVAILABLE = "available"        # every paying programme has a pool with room for its line
EXHAUSTED = "exhausted"        # a pool is closed, spent, or has less room than the line
NO_POOL = "no_pool"            # a paying programme has no pool for the region: nobody funds it here
NOT_APPLICABLE = "not_applicable"   # nothing is eligible, for reasons other than budget

_WORST_FIRST = (NO_POOL, EXHAUSTED, AVAILABLE)


def budget(session: Session | Callable[[], Session], outcome, *,
           pools_cache: pools.PoolSnapshot | None = None) -> dict[str, Any]:
    """The `budget` block of a quote (`outcome` is a services.subsidies.quoting.Outcome):
    `status` (available / exhausted / no_pool / not_applicable), `reservable` (eligible and
    every line's budget available now) and, per paying or budget-refused programme, its status."""
    region = outcome.request.region
    gov = outcome.government
    per: list[dict[str, Any]] = []
    if gov.lines or any(r.code == "BUDGET_CLOSED" for r in gov.ineligible):
        rows = pools.snapshot(session, cache=pools_cache)
        for line in gov.lines:
            row = pools.pool_for(rows, line.programme, region)
            status = NO_POOL if row is None else EXHAUSTED if row[2] or row[3] < line.amount_fen else AVAILABLE
            per.append({"programme": line.programme, "status": status})
    per.extend({"programme": r.programme, "status": EXHAUSTED} for r in gov.ineligible if r.code == "BUDGET_CLOSED")
    if outcome.bonus:   # a campaign over budget is already refused by the campaign rules
        per.append({"programme": campaigns.PROGRAMME_PREFIX + str(outcome.bonus.campaign.id), "status": AVAILABLE})
    paying = [p["status"] for p in per[:len(gov.lines)]] + ([AVAILABLE] if outcome.bonus else [])
    if paying:
        status = next(s for s in _WORST_FIRST if s in paying)
    else:
        status = EXHAUSTED if per else NOT_APPLICABLE
    return {"status": status, "reservable": bool(paying) and status == AVAILABLE, "programmes": per}
