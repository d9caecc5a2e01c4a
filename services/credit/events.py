"""Trade-behaviour events that feed credit scores.

Every domain records what a participant did (an order completed, a dispute lost, a pickup
missed) through `record_event`; the credit domain reads them. The row is plain data so that
recording never depends on the scoring code.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, UUIDPk, utcnow

# Kinds other domains record. Stable strings: the scorecard and history refer to them.
KINDS = frozenset({
    "identity_verified", "order_completed_buyer", "order_completed_seller",
    "order_cancelled_buyer", "order_cancelled_seller", "dispute_opened", "dispute_won",
    "dispute_lost", "review_received", "inspection_mismatch", "clawback_paid",
    "clawback_unpaid", "pickup_kept", "pickup_no_show", "wipe_certificate_ok",
    "wipe_certificate_refused", "payment_failed", "chargeback",
})


class CreditEvent(UUIDPk, Base):
    __tablename__ = "credit_events"

    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column()  # e.g. review stars
    detail: Mapped[dict | None] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record_event(session: Session, subject_id: uuid.UUID, kind: str, *, ref_type: str | None = None,
                 ref_id=None, value: int | None = None, detail: dict | None = None,
                 occurred_at: datetime | None = None) -> CreditEvent:
    """Record one behaviour event in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown credit event kind {kind!r}")
    ev = CreditEvent(subject_id=subject_id, kind=kind, ref_type=ref_type,
                     ref_id=None if ref_id is None else str(ref_id), value=value, detail=detail,
                     occurred_at=occurred_at or utcnow())
    session.add(ev)
    return ev
