"""The SQL side of the factor rules: event tallies grouped in the database."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from services.credit import features
from services.credit.events import CreditEvent
from services.credit.models import CreditOverride


def tallies(session: Session, ids: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, features.Tally]:
    """Event tallies as they stood at `now` (later events are left out), one query for all ids."""
    cutoff = now - features.NEGATIVE_HORIZON
    negative = or_(CreditEvent.kind.in_(features.NEGATIVE_KINDS),
                   and_(CreditEvent.kind == "review_received", CreditEvent.value <= features.LOW_REVIEW_STARS))
    voided = select(CreditOverride.event_id).where(
        CreditOverride.kind == "void_record", CreditOverride.event_id.is_not(None),
        CreditOverride.revoked_at.is_(None),
        or_(CreditOverride.expires_at.is_(None), CreditOverride.expires_at > now),
        CreditOverride.subject_id.in_(ids))
    stmt = (select(CreditEvent.subject_id, CreditEvent.kind, func.count(), func.coalesce(func.sum(CreditEvent.value), 0))
            .where(CreditEvent.subject_id.in_(ids), not_(and_(negative, CreditEvent.occurred_at < cutoff)),
                   CreditEvent.occurred_at <= now, CreditEvent.id.not_in(voided))
            .group_by(CreditEvent.subject_id, CreditEvent.kind))
    out: dict[uuid.UUID, features.Tally] = defaultdict(features.Tally)
    for sid, kind, n, stars in session.execute(stmt):
        out[sid].add(kind, int(n), int(stars) if kind == "review_received" else 0)
    return out
