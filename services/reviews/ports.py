"""What reviews need from the domains above them (docs/CONVENTIONS.md, "Cross-domain hooks"):
publishing reviews changes their subjects' ratings (seller standing, above reviews). Implemented by
services.flows.standing (`REVIEW_HOOKS`), handed down as `services.deps.of(session).review_hooks`."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.orm import Session

from services import deps


class ReviewHooks(Protocol):
    def published(self, session: Session, subject_ids: Iterable) -> None:
        """Reviews about these users were just published (and flushed): their ratings changed."""


def review_hooks(session: Session) -> ReviewHooks:
    return deps.of(session).review_hooks
