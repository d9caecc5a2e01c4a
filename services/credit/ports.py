"""What credit scoring needs from the domains above it (docs/CONVENTIONS.md, "Cross-domain hooks"):
a new score changes the band shown on every seller who acts for the scored subject (seller
standing, above credit). Implemented by services.flows.standing (`SCORE_HOOKS`), handed down as
`services.deps.of(session).score_hooks`."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from services import deps


class ScoreHooks(Protocol):
    def scored(self, session: Session, bands: dict) -> None:
        """Scores were just written: subject id (a user's or an organisation's) -> its band, the
        newest per subject."""


def score_hooks(session: Session) -> ScoreHooks:
    return deps.of(session).score_hooks
