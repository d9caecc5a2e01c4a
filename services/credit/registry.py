"""Scorecard versions: the shipped default, trained candidates, and which one is active.

Documents are immutable once stored, so parsed cards are cached by version, per app (`ParsedCards`
in the session's `services.deps`). A new version
becomes active only through `promote`, by an operator, with an audit entry; promotion marks
every subject stale so scores move to the new card on their next read or the periodic job.
"""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import audit, clock, deps
from services.credit.errors import ScorecardError
from services.credit.honest import check_directions
from services.credit.models import CreditScorecard, CreditSubject
from services.credit.scorecard import Scorecard, load_scorecard
from services.errors import Conflict, NotFound, ValidationFailed

DEFAULT_VERSION = "default-v1"


class ParsedCards:
    """Scorecards parsed from their stored documents, kept for the life of one app."""

    def __init__(self) -> None:
        self._cards: dict[tuple[str, str], Scorecard] = {}
        self._lock = threading.Lock()

    def parse(self, version: str, document: dict[str, Any]) -> Scorecard:
        """The card of `document`, parsed at most once per content (two threads may both parse;
        one result is kept)."""
        # Keyed by content too: a version name reused in another database (tests) must not be
        # served from a stale parse.
        key = (version, hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest())
        card = self._cards.get(key)
        if card is None:
            card = Scorecard.from_dict(document)
            with self._lock:
                card = self._cards.setdefault(key, card)
        return card


def _parse(session: Session, version: str, document: dict[str, Any]) -> Scorecard:
    return deps.of(session).scorecards.parse(version, document)


def ensure_default(session: Session) -> CreditScorecard:
    """The active row, registering the shipped default as active when there is none yet."""
    row = session.scalar(select(CreditScorecard).where(CreditScorecard.status == "active"))
    if row is not None:
        return row
    if session.get(CreditScorecard, DEFAULT_VERSION) is None:
        card = load_scorecard(DEFAULT_VERSION)
        # Two first requests may race here: the loser's insert does nothing.
        insert = _dialect_insert(session)
        session.execute(insert(CreditScorecard).values(
            version=card.version, document=card.to_dict(), source="shipped", status="active",
            metrics=card.metadata.get("metrics"), promoted_at=clock.now(session), created_at=clock.now(session),
        ).on_conflict_do_nothing(index_elements=["version"]))
    row = session.get(CreditScorecard, DEFAULT_VERSION, populate_existing=True)
    row.status = "active"
    session.flush()
    return row


def _dialect_insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def active(session: Session) -> Scorecard:
    """The scorecard in force."""
    row = ensure_default(session)
    return _parse(session, row.version, row.document)


def card(session: Session, version: str) -> Scorecard:
    return _parse(session, version, get(session, version).document)


def get(session: Session, version: str) -> CreditScorecard:
    row = session.get(CreditScorecard, version)
    if row is None:
        raise NotFound(f"no scorecard version {version!r}", code="credit_unknown_scorecard")
    return row


def versions(session: Session) -> list[CreditScorecard]:
    ensure_default(session)
    return list(session.scalars(select(CreditScorecard).order_by(CreditScorecard.created_at.desc())))


def _require_monotone(card: Scorecard) -> None:
    try:
        check_directions(card)
    except ScorecardError as e:
        raise Conflict(str(e), code="credit_card_not_monotone") from None


def register_candidate(session: Session, scorecard: Scorecard, *, report_dir: str | None = None
                       ) -> CreditScorecard:
    """Store a freshly trained card as a candidate; it scores nobody until promoted. A card whose
    points run against features.DIRECTIONS is refused (Conflict credit_card_not_monotone)."""
    _require_monotone(scorecard)
    if session.get(CreditScorecard, scorecard.version) is not None:
        raise Conflict(f"scorecard version {scorecard.version} exists already", code="credit_version_exists")
    row = CreditScorecard(version=scorecard.version, document=scorecard.to_dict(), source="trained",
                          status="candidate", metrics=scorecard.metadata.get("metrics"),
                          report_dir=report_dir)
    session.add(row)
    session.flush()
    return row


def promote(session: Session, operator_id: uuid.UUID, version: str, reason: str) -> CreditScorecard:
    """Make `version` the active card (audited); every score is recomputed against it."""
    if not (reason or "").strip():
        raise ValidationFailed("promoting a scorecard needs a reason",
                               fields={"reason": ["Missing data for required field."]})
    row = get(session, version)
    _require_monotone(Scorecard.from_dict(row.document))  # refuse a document that no longer validates
    current = ensure_default(session)
    if current.version == version:
        raise Conflict(f"scorecard {version} is already active", code="credit_already_active")
    current.status = "retired"
    row.status, row.promoted_at, row.promoted_by = "active", clock.now(session), operator_id
    audit.record(session, operator_id, "credit.scorecard.promote", "credit_scorecard", version,
                 before={"active": current.version}, after={"active": version}, reason=reason.strip())
    session.flush()
    session.execute(update(CreditSubject).values(stale=True, stale_since=clock.now(session)))
    return row
