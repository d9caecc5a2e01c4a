"""Budget pools per programme and region. Money moves only through single conditional
UPDATEs, so concurrent reservations can never issue more than a pool holds."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import audit, deps, regions
from services.errors import Conflict, NotFound, ValidationFailed
from services.subsidies.catalogue import programme
from services.subsidies.models import BudgetPool, Campaign

# Quotes read pool state from a short-lived per-app snapshot; reservations never do.
CLOSED_CACHE_SECONDS = 5.0


class PoolSnapshot:
    """The per-app snapshot of every pool that quotes read (services.deps.Deps.pools): at most
    `max_age` seconds old, refreshed by whichever request finds it stale."""

    def __init__(self, max_age: float = CLOSED_CACHE_SECONDS):
        self.max_age = max_age
        self._lock = threading.Lock()
        self._at = 0.0
        self._rows: tuple = ()

    def invalidate(self) -> None:
        with self._lock:
            self._at = 0.0

    def get(self, load: Callable[[], tuple], max_age: float | None = None) -> tuple:
        age = self.max_age if max_age is None else max_age
        now = time.monotonic()
        with self._lock:
            fresh, rows = now - self._at < age, self._rows
        if not fresh:
            rows = load()
            with self._lock:
                self._at, self._rows = now, rows
        return rows


def create_pool(session: Session, actor_id, programme_id: str, region_code: str,
                budget_fen: int) -> BudgetPool:
    """Open a pool for a programme in a region (a GB/T 2260 code, matched by prefix)."""
    if programme(programme_id) is None:
        raise ValidationFailed("unknown programme", fields={"programme": ["Unknown programme."]})
    if not regions.exists(region_code):
        raise ValidationFailed("unknown region", fields={"region": ["Unknown GB/T 2260 region code."]})
    prefix = regions.prefix(region_code)
    if session.scalar(select(BudgetPool.id).where(BudgetPool.programme_id == programme_id,
                                                  BudgetPool.region_prefix == prefix)):
        raise Conflict("a pool for this programme and region exists", code="pool_exists")
    pool = BudgetPool(programme_id=programme_id, region_code=region_code, region_prefix=prefix,
                      budget_fen=budget_fen, reserved_fen=0, redeemed_fen=0, closed=False)
    session.add(pool)
    session.flush()
    audit.record(session, actor_id, "subsidy_pool.create", "subsidy_pool", pool.id,
                 after={"programme": programme_id, "region": region_code, "budget_fen": budget_fen})
    invalidate_cache(session)
    return pool


def get_pool(session: Session, pool_id) -> BudgetPool:
    pool = session.get(BudgetPool, pool_id)
    if pool is None:
        raise NotFound("no such pool")
    return pool


def list_pools(session: Session, programme_id: str | None = None) -> list[BudgetPool]:
    stmt = select(BudgetPool).order_by(BudgetPool.programme_id, BudgetPool.region_prefix)
    if programme_id:
        stmt = stmt.where(BudgetPool.programme_id == programme_id)
    return list(session.scalars(stmt))


def update_pool(session: Session, actor_id, pool_id, *, budget_fen: int | None = None,
                closed: bool | None = None, reason: str | None = None) -> BudgetPool:
    """Change a pool's budget (never below what is reserved and redeemed) or close/reopen it."""
    pool = session.get(BudgetPool, pool_id, with_for_update=True)
    if pool is None:
        raise NotFound("no such pool")
    before = {"budget_fen": pool.budget_fen, "closed": pool.closed}
    if budget_fen is not None:
        if budget_fen < pool.reserved_fen + pool.redeemed_fen:
            raise ValidationFailed("budget below what is already committed", fields={
                "budget_fen": [f"Must be at least {pool.reserved_fen + pool.redeemed_fen}."]})
        pool.budget_fen = budget_fen
    if closed is not None:
        pool.closed = closed
        pool.closed_reason = reason if closed else None
    session.flush()
    audit.record(session, actor_id, "subsidy_pool.update", "subsidy_pool", pool.id, before=before,
                 after={"budget_fen": pool.budget_fen, "closed": pool.closed}, reason=reason)
    invalidate_cache(session)
    return pool


def find_pool(session: Session, programme_id: str, region: str) -> BudgetPool | None:
    """The most specific pool of the programme whose region contains `region`."""
    pools = session.scalars(select(BudgetPool).where(BudgetPool.programme_id == programme_id))
    matching = [p for p in pools if region.startswith(p.region_prefix)]
    return max(matching, key=lambda p: len(p.region_prefix), default=None)


def _take(session: Session, model, row_id: uuid.UUID, amount: int) -> bool:
    """Reserve `amount` if the row is open and has room: one statement, no read-modify-write."""
    table = model.__table__
    stmt = (update(table)
            .where(table.c.id == row_id, table.c.closed == False,  # noqa: E712
                   table.c.reserved_fen + table.c.redeemed_fen + amount <= table.c.budget_fen)
            .values(reserved_fen=table.c.reserved_fen + amount)
            .returning(table.c.id))
    return session.execute(stmt).first() is not None


def _move(session: Session, model, row_id: uuid.UUID, *, reserved: int = 0, redeemed: int = 0) -> None:
    table = model.__table__
    session.execute(update(table).where(table.c.id == row_id).values(
        reserved_fen=table.c.reserved_fen + reserved, redeemed_fen=table.c.redeemed_fen + redeemed))


def reserve(session: Session, pool_id: uuid.UUID, amount: int) -> bool:
    return _take(session, BudgetPool, pool_id, amount)


def reserve_campaign(session: Session, campaign_id: uuid.UUID, amount: int) -> bool:
    return _take(session, Campaign, campaign_id, amount)


def settle(session: Session, *, pool_id=None, campaign_id=None, amount: int, transition: str) -> None:
    """Move committed money: redeem (reserved -> redeemed), release (reserved -> free),
    clawback (redeemed -> free: the money returns to the budget)."""
    model, row_id = (BudgetPool, pool_id) if pool_id is not None else (Campaign, campaign_id)
    deltas = {"redeem": {"reserved": -amount, "redeemed": amount},
              "release": {"reserved": -amount}, "clawback": {"redeemed": -amount}}[transition]
    _move(session, model, row_id, **deltas)


def invalidate_cache(session: Session) -> None:
    """Make the next quote of the session's app read the pools afresh."""
    deps.of(session).pools.invalidate()


def snapshot(session: Session | Callable[[], Session], *, max_age: float | None = None,
             cache: PoolSnapshot | None = None) -> tuple:
    """Every pool as (programme, region prefix, shut, room left in fen), for quotes: may be a few
    seconds old. `session` may be a callable returning one: it is opened only on a refresh when
    `cache` (the app's PoolSnapshot, default the session's) is given."""
    if cache is None:
        if callable(session):
            session = session()
        cache = deps.of(session).pools

    def load() -> tuple:
        s = session() if callable(session) else session
        found = s.execute(select(BudgetPool.programme_id, BudgetPool.region_prefix,
                                 BudgetPool.closed, BudgetPool.budget_fen,
                                 BudgetPool.reserved_fen, BudgetPool.redeemed_fen)).all()
        return tuple((r.programme_id, r.region_prefix,
                      r.closed or r.reserved_fen + r.redeemed_fen >= r.budget_fen,
                      max(r.budget_fen - r.reserved_fen - r.redeemed_fen, 0)) for r in found)
    return cache.get(load, max_age)


def pool_for(rows: tuple, programme_id: str, region: str) -> tuple | None:
    """The most specific row of `snapshot()` for the programme whose region contains `region`."""
    matching = [r for r in rows if r[0] == programme_id and region.startswith(r[1])]
    return max(matching, key=lambda r: len(r[1]), default=None)


def closed_programmes(session: Session | Callable[[], Session], region: str, *,
                      max_age: float | None = None, cache: PoolSnapshot | None = None) -> set[str]:
    """Programmes whose pool for `region` is closed or spent, for quotes (may be a few seconds old).
    `session` may be a callable returning one: it is opened only when the snapshot is refreshed."""
    best: dict[str, tuple[int, bool]] = {}
    for pid, prefix, shut, _ in snapshot(session, max_age=max_age, cache=cache):
        if region.startswith(prefix) and len(prefix) >= best.get(pid, (-1, False))[0]:
            best[pid] = (len(prefix), shut)
    return {pid for pid, (_, shut) in best.items() if shut}
