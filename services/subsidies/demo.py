"""Demo budget pools: without a pool no programme can pay (a reservation answers 409 `no_pool`),
so the demo opens one per programme still running and per region the demo sells in."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services import regions
from services.subsidies import pools
from services.subsidies.catalogue import catalogue

# Per pool: ample for a demo (a few thousand subsidised purchases), small enough to be plausible.
DEMO_POOL_BUDGET_FEN = 500_000_000


def seed_pools(session: Session, operator_id, region_codes: list[str], *, today: dt.date,
               budget_fen: int = DEMO_POOL_BUDGET_FEN) -> list[str]:
    """Open a pool (operator `operator_id`, audited) for every programme whose window has not
    ended by `today`, in each of `region_codes` its jurisdiction covers. Returns a summary line."""
    opened = 0
    programmes = sorted({p.id for p in catalogue().programmes if p.end >= today})
    for code in sorted(set(region_codes)):
        for pid in programmes:
            p = catalogue().by_id[pid]
            if p.covers_region(code) and regions.exists(code):
                pools.create_pool(session, operator_id, pid, code, budget_fen)
                opened += 1
    return [f"subsidy budget pools: {opened} ({len(programmes)} running programmes x "
            f"{len(set(region_codes))} regions, ¥{budget_fen // 100:,} each)"]
