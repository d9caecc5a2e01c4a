"""A user's mobile number, for text messages (notifications' SMS channel). Stored whole, since the
SMS provider needs it; everything that shows or logs it uses identifiers.mask_phone."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services import audit, identifiers
from services.accounts.models import User
from services.errors import ValidationFailed


def set_phone(session: Session, user: User, phone: str | None) -> User:
    """Record (or with None remove) the user's mobile number. Promises: only a mainland mobile
    number (11 digits, 13x-19x; "+86", spaces and dashes allowed) is kept, normalised to its 11
    digits, else 422 on `phone`; the change is audited with the number masked."""
    if phone is not None and not identifiers.mobile_ok(phone):
        raise ValidationFailed("not a mobile number", fields={
            "phone": ["A mainland China mobile number: 11 digits starting 13-19, e.g. 13812345678."]})
    before = identifiers.mask_phone(user.phone)
    user.phone = identifiers.normalise_mobile(phone) if phone is not None else None
    audit.record(session, user.id, "account.phone", "user", user.id, before={"phone": before},
                 after={"phone": identifiers.mask_phone(user.phone)})
    session.flush()
    return user
