"""Seller standing follows reviews and credit scores (their ports, services/reviews/ports.py and
services/credit/ports.py): a published review recounts its subject's rating, a new score sets the
band of every user who acts for the scored subject. Explicit calls from the domain that made the
change, in its transaction: these used to be session hooks of standing on the lower rows."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.standing import interface as standing


@dataclass(frozen=True)
class ReviewStanding:
    """services.reviews.ports.ReviewHooks."""

    def published(self, session: Session, subject_ids: Iterable) -> None:
        standing.recount(session, {i for i in subject_ids if i is not None})


@dataclass(frozen=True)
class ScoreStanding:
    """services.credit.ports.ScoreHooks."""

    def scored(self, session: Session, bands: dict) -> None:
        standing.set_bands(session, bands)


REVIEW_HOOKS = ReviewStanding()
SCORE_HOOKS = ScoreStanding()
