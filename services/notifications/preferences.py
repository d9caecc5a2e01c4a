"""Per-user channel preferences: for each kind, email and SMS on or off (the in-app feed is always
on). A kind without a stored choice uses its template's default."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import ValidationFailed
from services.notifications.models import NotificationPreference
from services.notifications.templates import KINDS, TEMPLATES

CHANNELS = ("email", "sms")


def current(session: Session, user_id: uuid.UUID) -> dict[str, dict[str, bool]]:
    """Every kind -> {"in_app": True, "email": bool, "sms": bool} for the user."""
    stored = {p.kind: p for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    out = {}
    for kind in sorted(KINDS):
        p, t = stored.get(kind), TEMPLATES[kind]
        if t.security:
            out[kind] = {"in_app": True, "email": True, "sms": False}
        else:
            out[kind] = {"in_app": True, "email": p.email if p else t.email, "sms": p.sms if p else t.sms}
    return out


def update(session: Session, user_id: uuid.UUID, choices: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """Store the user's choices (kind -> {"email"?, "sms"?}); unknown kinds and switching the
    in-app feed off are field errors. Returns every kind's preferences after the change."""
    errors = {}
    for kind, chosen in choices.items():
        if kind not in KINDS:
            errors[kind] = [f"Unknown kind; one of: {', '.join(sorted(KINDS))}."]
        elif chosen.get("in_app") is False:
            errors[kind] = ["The in-app feed cannot be switched off."]
        elif TEMPLATES[kind].security and (chosen.get("email") is False or chosen.get("sms") is True):
            errors[kind] = ["Account security notices go to your confirmed email address only."]
    if errors:
        raise ValidationFailed("unknown notification kinds", fields=errors)
    now = current(session, user_id)
    for kind, chosen in choices.items():
        row = session.get(NotificationPreference, (user_id, kind))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind, email=now[kind]["email"], sms=now[kind]["sms"])
            session.add(row)
        for channel in CHANNELS:
            if channel in chosen:
                setattr(row, channel, bool(chosen[channel]))
    session.flush()
    return current(session, user_id)


def channels(session: Session, user_id: uuid.UUID, kind: str) -> list[str]:
    """The outside channels the user wants for a kind."""
    t = TEMPLATES[kind]
    if t.security:   # never by SMS: a phone number can be changed by whoever holds a login
        return ["email"]
    row = session.get(NotificationPreference, (user_id, kind))
    email, sms = (row.email, row.sms) if row else (t.email, t.sms)
    return [c for c, on in (("email", email), ("sms", sms)) if on]
