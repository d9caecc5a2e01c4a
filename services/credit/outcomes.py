"""Training data from recorded outcomes.

A snapshot at time T takes every participant who existed at T, their factors from the events up
to T, and calls them bad when, in the OUTCOME_WINDOW after T, they lost a dispute, left a
trade-in clawback unpaid or had a payment charged back. Several snapshots (T = now - window,
now - 2 x window, ...) give more rows; a participant may appear once per snapshot.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock, deps
from services.accounts.models import Organization, Role, User
from services.credit import features
from services.credit.events import CreditEvent
from services.credit.queries import aliases, tallies
from services.credit.subjects import facts_for
from services.credit.training import Dataset

OUTCOME_WINDOW = timedelta(days=90)
BAD_KINDS = frozenset({"dispute_lost", "clawback_unpaid", "chargeback"})
CHUNK = 2000


def _participants_before(session: Session, t: datetime) -> list:
    users = session.scalars(select(User.id).where(User.role == Role.CONSUMER, User.created_at <= t))
    orgs = session.scalars(select(Organization.id).where(Organization.created_at <= t))
    return [*users, *orgs]


def _subjects_with(session: Session, alias: dict, kinds, start: datetime | None, end: datetime) -> set:
    """Subjects with at least one event of `kinds` in (start, end]."""
    stmt = select(CreditEvent.subject_id).where(
        CreditEvent.subject_id.in_(list(alias)), CreditEvent.kind.in_(kinds), CreditEvent.occurred_at <= end)
    if start is not None:
        stmt = stmt.where(CreditEvent.occurred_at > start)
    return {alias[i] for i in session.scalars(stmt.group_by(CreditEvent.subject_id))}


def recorded_outcomes(session: Session, snapshots: int = 1, window: timedelta = OUTCOME_WINDOW,
                      progress: Callable[[int], None] | None = None) -> Dataset:
    """Factors at each snapshot and the outcome in the window after it (y = 1 for bad)."""
    now = clock.now(session)
    rows: list[dict] = []
    source = deps.of(session).bureau
    outcome: list[int] = []
    for k in range(1, snapshots + 1):
        t = now - k * window
        ids = _participants_before(session, t)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            known = facts_for(session, chunk)
            alias = aliases(known.values())
            counts = tallies(session, alias, t)
            bad = _subjects_with(session, alias, BAD_KINDS, t, t + window)
            verified = _subjects_with(session, alias, ("identity_verified",), None, t)
            for sid in chunk:
                if sid not in known:
                    continue
                s = known[sid]
                # Identity as it stood at T when the event says so; orgs keep their licence check.
                facts = features.AccountFacts(
                    identity_verified=sid in verified or (s.kind != "consumer" and s.identity_verified),
                    opened_at=s.opened_at)
                # The bureau is asked today: it keeps no history we could read as of T.
                rows.append(features.features_from(facts, counts[sid], t, source.lookup(sid)))
                outcome.append(int(sid in bad))
            if progress:
                progress(len(chunk))
    cols = {n: np.array([r[n] for r in rows], dtype=object) for n in features.FEATURE_NAMES}
    return Dataset(cols, dict(features.FEATURES), np.array(outcome, dtype=int))


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CreditEvent)) or 0
