"""Recomputing many scores at once: events tallied in SQL, scored in vectorised chunks,
history rows inserted in bulk. Same rules and results as the one-subject path in service.py."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services import clock, deps
from services.credit import features, honest, registry, subjects
from services.credit.queries import aliases, tallies
from services.credit.models import CreditOverride, CreditScore, CreditSubject
from services.credit.ports import score_hooks
from services.credit.rows import score_row

CHUNK = 2000


def _score_overrides(session: Session, ids: list[uuid.UUID], now) -> dict[uuid.UUID, CreditOverride]:
    rows = session.scalars(select(CreditOverride).where(
        CreditOverride.subject_id.in_(ids), CreditOverride.kind == "score",
        CreditOverride.revoked_at.is_(None)).order_by(CreditOverride.created_at))
    return {o.subject_id: o for o in rows if o.active(now)}  # the newest wins


def recompute_many(session: Session, subject_ids: Sequence[uuid.UUID], trigger: str = "batch",
                   progress: Callable[[int], None] | None = None) -> int:
    """Rescore the given subjects with the active card; returns how many were scored.

    Ids that are no participant (anymore) are dropped from the stale list and skipped.
    """
    card = registry.active(session)
    done = 0
    for start in range(0, len(subject_ids), CHUNK):
        ids = list(subject_ids[start:start + CHUNK])
        now = clock.now(session)
        known = subjects.facts_for(session, ids)
        gone = [i for i in ids if i not in known]
        if gone:
            session.execute(update(CreditSubject).where(CreditSubject.subject_id.in_(gone)).values(stale=False))
        ids = [i for i in ids if i in known]
        if not ids:
            continue
        counts = tallies(session, aliases(known[i] for i in ids), now)
        overrides = _score_overrides(session, ids, now)
        source = deps.of(session).bureau
        rows = [features.features_from(known[i].facts, counts[i], now, source.lookup(i)) for i in ids]
        results = honest.score_many(card, rows, [counts[i] for i in ids])
        for i, values in zip(ids, rows):
            values.update(honest.conduct_values(counts[i]))
        history = [score_row(i, card, res, values, features.is_thin_file(counts[i]),
                                    overrides.get(i), trigger, now)
                   for i, res, values in zip(ids, results, rows)]
        session.execute(insert(CreditScore.__table__), history)
        score_hooks(session).scored(session, {row["subject_id"]: row["band"] for row in history})
        _upsert_fresh(session, ids, now)
        done += len(ids)
        if progress:
            progress(len(ids))
    session.flush()
    return done


def _upsert_fresh(session: Session, ids: list[uuid.UUID], now) -> None:
    insert_ = registry._dialect_insert(session)
    # One statement executed many times (insertmanyvalues) compiles once; a 2000-row VALUES
    # clause would be compiled afresh for every chunk.
    stmt = insert_(CreditSubject.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject_id"],
        set_={"stale": False, "stale_since": None, "scored_at": stmt.excluded.scored_at})
    session.execute(stmt, [{"subject_id": i, "stale": False, "stale_since": None, "scored_at": now}
                           for i in ids])
