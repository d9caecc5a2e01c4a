"""The SQL side of the factor rules: event tallies grouped in the database."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from services.credit import features
from services.credit.events import CreditEvent
from services.credit.models import CreditOverride
from services.credit.subjects import Subject


def aliases(subjects: Iterable[Subject]) -> dict[uuid.UUID, uuid.UUID]:
    """Event subject id -> scored subject id. An organisation's score also counts the events other
    domains recorded against its staff's user ids (an order's seller is a user)."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    for s in subjects:
        for i in s.event_ids:
            out.setdefault(i, s.id)
    return out


def tallies(session: Session, alias: Mapping[uuid.UUID, uuid.UUID], now: datetime
            ) -> dict[uuid.UUID, features.Tally]:
    """Event tallies per subject as they stood at `now` (later events are left out), in one query.

    Negative records older than the five-year horizon and voided records are not counted.
    """
    cutoff = now - features.NEGATIVE_HORIZON
    negative = or_(CreditEvent.kind.in_(features.NEGATIVE_KINDS),
                   and_(CreditEvent.kind == "review_received", CreditEvent.value <= features.LOW_REVIEW_STARS))
    voided = select(CreditOverride.event_id).where(
        CreditOverride.kind == "void_record", CreditOverride.event_id.is_not(None),
        CreditOverride.revoked_at.is_(None),
        or_(CreditOverride.expires_at.is_(None), CreditOverride.expires_at > now),
        CreditOverride.subject_id.in_(set(alias.values())))
    stmt = (select(CreditEvent.subject_id, CreditEvent.kind, func.count(),
                   func.coalesce(func.sum(CreditEvent.value), 0))
            .where(CreditEvent.subject_id.in_(list(alias)), not_(and_(negative, CreditEvent.occurred_at < cutoff)),
                   CreditEvent.occurred_at <= now, CreditEvent.id.not_in(voided))
            .group_by(CreditEvent.subject_id, CreditEvent.kind))
    out: dict[uuid.UUID, features.Tally] = defaultdict(features.Tally)
    for sid, kind, n, stars in session.execute(stmt):
        out[alias[sid]].add(kind, int(n), int(stars) if kind == "review_received" else 0)
    return out
