"""Where notifications find a user's email and phone: the accounts domain sits above
notifications, so the delivery job is handed this port (marketplace/jobs.py binds it)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.accounts.models import User


# Frozen: the one ADDRESSES port is shared by every app of the process and holds nothing.
@dataclass(frozen=True)
class AccountAddresses:
    def email_of(self, session: Session, user_id: uuid.UUID) -> str | None:
        user = session.get(User, user_id)
        return user.email if user is not None else None

    def phone_of(self, session: Session, user_id: uuid.UUID) -> str | None:
        user = session.get(User, user_id)   # None: SMS deliveries fail as "no phone number"
        return user.phone if user is not None else None


ADDRESSES = AccountAddresses()
