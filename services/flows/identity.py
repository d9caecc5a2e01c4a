"""Real-name verification and credit: accounts decides, credit counts a verified identity."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts import interface as accounts
from services.accounts.models import IdStatus, User
from services.credit.interface import record_event


def review_identity(session: Session, operator: User, user_id, decision: IdStatus,
                    reason: str | None = None) -> User:
    """The operator's decision on a pending verification (services.accounts.service.review_identity:
    same errors, audited); a verification also records the `identity_verified` credit event."""
    user = accounts.review_identity(session, operator, user_id, decision, reason)
    if decision == IdStatus.VERIFIED:
        record_event(session, user.id, "identity_verified", ref_type="user", ref_id=user.id)
    return user
