"""The trade-in flow's collaborators: the app's, built once by create_app (marketplace/container.py)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace import container
from services.tradeins import quotes
from services.tradeins.ports import Deps


def deps() -> Deps:
    return container.current().deps.tradeins


def expire_job(session: Session) -> int:
    """Periodic job: expire quotes, turn unanswered counter-offers into returns, mark overdue clawbacks."""
    return quotes.expire_due(session)
