"""Credit scores for participants: compute, read, explain, override, and the privileges they unlock.

Other domains call `score_for(session, id)` and `privileges_for(session, id)` with a consumer's
user id, a retailer's or recycler's organisation id, or the id of a user acting for one.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock, deps
from services.credit import features, honest, registry, subjects
from services.credit.events import KINDS, CreditEvent, mark_stale
from services.credit.models import CreditExplanation, CreditOverride, CreditScore, CreditSubject
from services.credit.outlook import Outlook, outlook
from services.credit.privileges import Privileges, load_policy
from services.credit.batch import recompute_many
from services.credit.queries import aliases, tallies
from services.credit.ports import score_hooks
from services.credit.rows import THIN_FILE_REASON, score_row
from services.credit.scorecard import Reason, Scorecard, ScoreResult
from services.credit.subjects import Subject
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed

OVERRIDE_KINDS = ("score", "void_record")
MIN_REASON_LENGTH = 5


def _active_overrides(session: Session, subject_id: uuid.UUID, now: datetime) -> list[CreditOverride]:
    rows = session.scalars(select(CreditOverride).where(
        CreditOverride.subject_id == subject_id, CreditOverride.revoked_at.is_(None)))
    return [o for o in rows if o.active(now)]


def compute(session: Session, subject: Subject, trigger: str = "on_demand") -> CreditScore:
    """Compute the subject's score now with the active card and append it to the history."""
    now = clock.now(session)
    card = registry.active(session)
    overrides = _active_overrides(session, subject.id, now)
    tally = tallies(session, aliases([subject]), now)[subject.id]
    values = features.features_from(subject.facts, tally, now, deps.of(session).bureau.lookup(subject.id))
    result = honest.score_one(card, values, tally)
    values.update(honest.conduct_values(tally))
    score_override = next((o for o in sorted(overrides, key=lambda o: o.created_at, reverse=True)
                           if o.kind == "score"), None)
    row = CreditScore(**score_row(subject.id, card, result, values, features.is_thin_file(tally),
                                         score_override, trigger, now))
    session.add(row)
    _mark_fresh(session, [subject.id], now)
    session.flush()
    score_hooks(session).scored(session, {subject.id: row.band})
    return row


def _mark_fresh(session: Session, ids: list[uuid.UUID], now: datetime) -> None:
    existing = set(session.scalars(select(CreditSubject.subject_id).where(CreditSubject.subject_id.in_(ids))))
    for sid in ids:
        if sid in existing:
            s = session.get(CreditSubject, sid)
            s.stale, s.stale_since, s.scored_at = False, None, now
        else:
            session.add(CreditSubject(subject_id=sid, stale=False, stale_since=None, scored_at=now))


def latest(session: Session, subject_id: uuid.UUID) -> CreditScore | None:
    return session.scalar(select(CreditScore).where(CreditScore.subject_id == subject_id)
                          .order_by(CreditScore.computed_at.desc(), CreditScore.id.desc()).limit(1))


def score_for(session: Session, subject_or_user_id: uuid.UUID) -> CreditScore:
    """The participant's current score: the latest one, recomputed first when it is out of date.

    Raises NotFound for an id that is no participant.
    """
    subject = subjects.resolve(session, subject_or_user_id)
    return _current(session, subject)


def _current(session: Session, subject: Subject) -> CreditScore:
    row = latest(session, subject.id)
    state = session.get(CreditSubject, subject.id)
    card = registry.active(session)
    if row is None:
        return compute(session, subject, trigger="on_demand")
    if row.scorecard_version != card.version:
        return compute(session, subject, trigger="promotion")
    if state is not None and state.stale:
        return compute(session, subject, trigger="event")
    return row


def recompute(session: Session, subject_or_user_id: uuid.UUID) -> CreditScore:
    """Recompute on demand, whether or not anything changed."""
    return compute(session, subjects.resolve(session, subject_or_user_id), trigger="on_demand")


@dataclass(frozen=True)
class PrivilegeView:
    subject_id: uuid.UUID
    score: int
    band: str
    privileges: Privileges


def privileges_for(session: Session, subject_or_user_id: uuid.UUID, policy_path: str | None = None
                   ) -> PrivilegeView:
    """What the participant may do now, from their current band and the privilege policy."""
    row = score_for(session, subject_or_user_id)
    return PrivilegeView(row.subject_id, row.score, row.band, load_policy(policy_path).for_band(row.band))


def result_of(row: CreditScore) -> ScoreResult:
    """A stored score as a ScoreResult (for the outlook of the card it was computed with)."""
    return ScoreResult(score=row.score, raw=row.raw_score, band=row.band,
                       reasons=tuple(Reason(**r) for r in row.reasons),
                       points={k: v["points"] for k, v in row.factors.items()},
                       bins={k: v["bin"] for k, v in row.factors.items()},
                       version=row.scorecard_version)


def outlook_for(session: Session, subject_or_user_id: uuid.UUID) -> tuple[CreditScore, Outlook]:
    """The current score and what would raise its band."""
    row = score_for(session, subject_or_user_id)
    return row, outlook(honest.monotone_card(registry.card(session, row.scorecard_version)), result_of(row))


def history_query(subject_id: uuid.UUID):
    return select(CreditScore).where(CreditScore.subject_id == subject_id)


def can_see(user, subject: Subject) -> bool:
    return user.is_operator or user.id in subject.member_ids


def visible_subject(session: Session, user, subject_or_user_id: uuid.UUID) -> Subject:
    """The subject if `user` may see it: their own, or anyone's for an operator."""
    subject = subjects.resolve(session, subject_or_user_id)
    if not can_see(user, subject):
        raise Forbidden("you can see only your own credit score", code="credit_not_yours")
    return subject


def _event(session: Session, event_id: uuid.UUID) -> CreditEvent:
    ev = session.get(CreditEvent, event_id)
    if ev is None:
        raise NotFound(f"no credit record {event_id}", code="credit_unknown_record")
    return ev


def records_query(subject: Subject):
    return select(CreditEvent).where(CreditEvent.subject_id.in_(subject.event_ids))


@dataclass(frozen=True)
class RecordView:
    id: uuid.UUID
    kind: str
    occurred_at: datetime
    value: int | None
    ref_type: str | None
    ref_id: str | None
    negative: bool
    counts: bool
    status: str  # counts | expired | voided
    explanation: str | None


def describe_records(session: Session, events: list[CreditEvent]) -> list[RecordView]:
    """Each record with whether it counts now and the participant's explanation."""
    if not events:
        return []
    now = clock.now(session)
    ids = [e.id for e in events]
    notes = {x.event_id: x.text for x in session.scalars(
        select(CreditExplanation).where(CreditExplanation.event_id.in_(ids)))}
    voided = {o.event_id for o in session.scalars(select(CreditOverride).where(
        CreditOverride.event_id.in_(ids), CreditOverride.kind == "void_record")) if o.active(now)}
    out = []
    for e in events:
        negative = features.counts_as_negative(e.kind, e.value)
        status = ("voided" if e.id in voided else
                  "expired" if negative and e.occurred_at < now - features.NEGATIVE_HORIZON else "counts")
        out.append(RecordView(e.id, e.kind, e.occurred_at, e.value, e.ref_type, e.ref_id, negative,
                              status == "counts", status, notes.get(e.id)))
    return out


def explain(session: Session, user, event_id: uuid.UUID, text: str) -> RecordView:
    """Attach (or replace) the participant's explanation of one of their own records."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("an explanation needs text", fields={"text": ["Must not be blank."]})
    ev = _event(session, event_id)
    subject = subjects.resolve(session, ev.subject_id)
    if user.id not in subject.member_ids:
        raise Forbidden("you can explain only your own records", code="credit_not_yours")
    row = session.scalar(select(CreditExplanation).where(CreditExplanation.event_id == ev.id))
    if row is None:
        session.add(CreditExplanation(event_id=ev.id, subject_id=ev.subject_id, author_id=user.id, text=text))
    else:
        row.text, row.author_id = text, user.id
    session.flush()
    return describe_records(session, [ev])[0]


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationFailed("an override needs a reason",
                               fields={"reason": [f"Give a reason of at least {MIN_REASON_LENGTH} characters."]})
    return reason


def add_override(session: Session, operator, subject_or_user_id: uuid.UUID, *, kind: str,
                 reason: str | None, score: int | None = None, event_id: uuid.UUID | None = None,
                 expires_at: datetime | None = None) -> tuple[CreditOverride, CreditScore]:
    """Override a score or void a record, with a mandatory reason and an audit entry; rescored at once."""
    reason = _require_reason(reason)
    subject = subjects.resolve(session, subject_or_user_id)
    card = registry.active(session)
    if kind not in OVERRIDE_KINDS:
        raise ValidationFailed("unknown override kind", fields={"kind": [f"One of {', '.join(OVERRIDE_KINDS)}."]})
    if kind == "score":
        lo, hi = card.scaling.min_score, card.scaling.max_score
        if score is None or not lo <= score <= hi:
            raise ValidationFailed("a score override needs a score on the scale",
                                   fields={"score": [f"Between {lo} and {hi}."]})
        event_id = None
    else:
        if event_id is None:
            raise ValidationFailed("voiding a record needs its id", fields={"event_id": ["Required for void_record."]})
        if _event(session, event_id).subject_id not in subject.event_ids:
            raise ValidationFailed("that record belongs to someone else", fields={"event_id": ["Not this participant's record."]})
        score = None
    if expires_at is not None and expires_at <= clock.now(session):
        raise ValidationFailed("expiry must be in the future", fields={"expires_at": ["Must be in the future."]})
    before = latest(session, subject.id)
    o = CreditOverride(subject_id=subject.id, kind=kind, score=score, event_id=event_id, reason=reason,
                       actor_id=operator.id, expires_at=expires_at, created_at=clock.now(session))
    session.add(o)
    session.flush()
    audit.record(session, operator.id, f"credit.override.{kind}", "credit_subject", subject.id,
                 before={"score": before.score if before else None, "band": before.band if before else None},
                 after={"override_id": str(o.id), "score": score, "event_id": str(event_id) if event_id else None,
                        "expires_at": expires_at.isoformat() if expires_at else None},
                 reason=reason)
    return o, compute(session, subject, trigger="override")


def revoke_override(session: Session, operator, override_id: uuid.UUID, reason: str | None
                    ) -> tuple[CreditOverride, CreditScore]:
    """End an override early (audited); the subject is rescored without it."""
    reason = _require_reason(reason)
    o = session.get(CreditOverride, override_id)
    if o is None:
        raise NotFound(f"no override {override_id}", code="credit_unknown_override")
    if o.revoked_at is not None:
        raise Conflict("this override was revoked already", code="credit_override_revoked")
    o.revoked_at, o.revoked_by, o.revoke_reason = clock.now(session), operator.id, reason
    audit.record(session, operator.id, "credit.override.revoke", "credit_override", o.id,
                 before={"active": True}, after={"active": False}, reason=reason)
    session.flush()
    return o, compute(session, subjects.resolve(session, o.subject_id), trigger="override")


def overrides_query(subject_id: uuid.UUID):
    return select(CreditOverride).where(CreditOverride.subject_id == subject_id)


def recompute_stale(session: Session, limit: int = 5000) -> int:
    """Periodic job: rescore up to `limit` stale subjects, oldest first."""
    ids = list(session.scalars(select(CreditSubject.subject_id).where(CreditSubject.stale.is_(True))
                               .order_by(CreditSubject.stale_since).limit(limit)))
    return recompute_many(session, ids, trigger="event")


__all__ = ["score_for", "privileges_for", "outlook_for", "recompute", "compute", "explain",
           "add_override", "revoke_override", "recompute_stale", "mark_stale", "KINDS"]
