"""Credit tables: subjects, the append-only score history, explanations, overrides, scorecards.

A subject is a participant with a score: a consumer's user id, or the organisation id of a
retailer or recycler. Events (services.credit.events) are recorded against the same id.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UUIDPk, utcnow
from services.errors import Conflict


class CreditSubject(Base):
    """Whether a subject's score is out of date; one row per subject that has had an event."""
    __tablename__ = "credit_subjects"

    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stale: Mapped[bool] = mapped_column(default=True, index=True)
    stale_since: Mapped[datetime | None] = mapped_column(default=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column()


class CreditScore(UUIDPk, Base):
    """One computed score. Rows are never updated or deleted (see the guard below)."""
    __tablename__ = "credit_scores"
    __table_args__ = (Index("ix_credit_scores_subject_computed", "subject_id", "computed_at"),)

    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    score: Mapped[int] = mapped_column()
    raw_score: Mapped[float] = mapped_column()
    band: Mapped[str] = mapped_column(String(20))
    scorecard_version: Mapped[str] = mapped_column(String(60))
    reasons: Mapped[list] = mapped_column(JSON)  # [{code, feature, points_lost, bin, en, zh}]
    factors: Mapped[dict] = mapped_column(JSON)  # {name: {value, bin, points}}
    thin_file: Mapped[bool] = mapped_column(default=False)
    override_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    trigger: Mapped[str] = mapped_column(String(20))  # event | on_demand | batch | override | promotion
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(CreditScore, "before_update")
@event.listens_for(CreditScore, "before_delete")
def _history_is_append_only(mapper, connection, target):  # pragma: no branch
    raise Conflict("credit score history is append-only", code="credit_history_append_only")


class CreditExplanation(UUIDPk, Base):
    """A participant's own statement attached to one of their records; it does not change the score."""
    __tablename__ = "credit_explanations"
    __table_args__ = (UniqueConstraint("event_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_events.id", ondelete="CASCADE"))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CreditOverride(UUIDPk, Base):
    """An operator's decision, always with a reason and an audit entry.

    kind "score": the subject's score is set to `score` while the override is active.
    kind "void_record": the event `event_id` no longer counts.
    """
    __tablename__ = "credit_overrides"

    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column()
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credit_events.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    revoke_reason: Mapped[str | None] = mapped_column(String(500))

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class CreditScorecard(Base):
    """A scorecard version: the document, where it came from, and whether it is the active one."""
    __tablename__ = "credit_scorecards"

    version: Mapped[str] = mapped_column(String(60), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(20))  # shipped | trained
    status: Mapped[str] = mapped_column(String(20), index=True)  # candidate | active | retired
    metrics: Mapped[dict | None] = mapped_column(JSON)
    report_dir: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column()
    promoted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
