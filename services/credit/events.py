"""Trade-behaviour events that feed credit scores.

Every domain records what a participant did (an order completed, a dispute lost, a pickup
missed) through `record_event`; the credit domain reads them. The row is plain data so that
recording never depends on the scoring code; recording also flags the subject's score as stale.

`subject_id` is the participant who is scored: a consumer's user id, or the organisation id of a
retailer or recycler (`services.credit.service.subject_id_for(session, user_id)` maps a staff
user to their organisation). Events are never edited; an operator can void one (an audited
override) and the participant can attach an explanation.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, String, Uuid, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.accounts.models import Membership
from services.credit.models import CreditSubject
from services.db import Base, UUIDPk, utcnow

# Kinds other domains record. Stable strings: the scorecard and history refer to them.
KINDS = frozenset({
    "identity_verified", "order_completed_buyer", "order_completed_seller",
    "order_cancelled_buyer", "order_cancelled_seller", "dispute_opened", "dispute_won",
    "dispute_lost", "review_received", "inspection_mismatch", "clawback_paid",
    "clawback_unpaid", "pickup_kept", "pickup_no_show", "wipe_certificate_ok",
    "wipe_certificate_refused", "payment_failed", "chargeback",
    # A recycler cancelling after the cut-off, a seller who never handed the item over (a
    # "not received" dispute they lost), an operator revoking a signed wipe certificate.
    "pickup_cancelled_late", "order_not_shipped", "wipe_certificate_revoked",
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
    mark_stale(session, [subject_id])
    return ev


def record_event_once(session: Session, subject_id: uuid.UUID, kind: str, *, ref_type: str,
                      ref_id, value: int | None = None, detail: dict | None = None,
                      occurred_at: datetime | None = None) -> CreditEvent:
    """Record the event unless the subject already has one of this kind for this (ref_type,
    ref_id); return the one that counts. For events no state machine guards: a request that is
    retried and refused again must not count twice.
    """
    ref = str(ref_id)
    if session.get_bind().dialect.name == "postgresql":
        # Two concurrent retries would both find no row; a transaction-scoped advisory lock on the
        # key makes the second wait for the first to commit (or roll back) and then find its row.
        key = f"credit_event:{subject_id}:{kind}:{ref_type}:{ref}"
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    existing = session.scalar(select(CreditEvent).where(
        CreditEvent.subject_id == subject_id, CreditEvent.kind == kind,
        CreditEvent.ref_type == ref_type, CreditEvent.ref_id == ref).limit(1))
    if existing is not None:
        return existing
    return record_event(session, subject_id, kind, ref_type=ref_type, ref_id=ref, value=value,
                        detail=detail, occurred_at=occurred_at)


def mark_stale(session: Session, subject_ids: Iterable[uuid.UUID]) -> None:
    """Flag subjects for recomputation: one upsert, so recording an event stays cheap.

    The score itself is recomputed on the next read (`score_for`) or by the periodic job.
    """
    ids = list(dict.fromkeys(subject_ids))
    if not ids:
        return
    # An event recorded against a retailer's or recycler's staff user counts for the organisation.
    ids += [o for o in session.scalars(select(Membership.org_id).where(Membership.user_id.in_(ids)))
            if o not in ids]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    stmt = insert(CreditSubject).values([{"subject_id": i, "stale": True, "stale_since": now} for i in ids])
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject_id"],
        # Keep the first moment it went stale, for the job's oldest-first order.
        set_={"stale": True,
              "stale_since": func.coalesce(CreditSubject.__table__.c.stale_since, stmt.excluded.stale_since)})
    session.execute(stmt)
