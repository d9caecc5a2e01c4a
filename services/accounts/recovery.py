"""Forgotten passwords, in the style of registration (services/accounts/signup.py): asking for a
reset tells nobody whether an address has an account, and the emailed code is signed, expiring and
single use, with nothing about it stored.

`request_reset` answers the same for every address and does the same work for each (the user row
looked up under a row lock, one audit row, the sending job started after commit): a confirmed
account gets a `password_reset` notice with a code; an unconfirmed one a fresh confirmation code
instead (only confirmed addresses get reset codes: confirming proves the address, a reset does not
confirm it); an unknown or deactivated address gets nothing. No password is hashed here (there is none to hash).

The code (services/accounts/codes.py, its own purpose string) expires after PASSWORD_RESET_MINUTES
and is bound to the password hash: using it, or any other password change, spends it and every
other code issued before."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock, deps, identifiers
from services.accounts import codes, service, signup
from services.accounts.models import User
from services.errors import ValidationFailed
from services.notifications.interface import notify, send_after_commit

PURPOSE = b"huanxin-password-reset-v1"
LINK = "/api/v1/accounts/password-reset/confirm"


def request_reset(session: Session, email: str) -> None:
    """Start a reset of the password of the account at `email`, if there is one. Promises: the
    caller learns nothing (no answer, no error, the same statements whatever the address); a
    confirmed, active account gets a `password_reset` notice with a code valid for
    PASSWORD_RESET_MINUTES; an unconfirmed one a `confirm_email` notice with a fresh confirmation
    code; nothing else changes. Audited for every address (keyed hash of the address)."""
    email = service.normal_email(email)
    user = session.scalar(select(User).where(User.email == email).with_for_update())
    if user is None or not user.is_active:
        sent = None
    elif user.email_confirmed_at is None:
        signup.send_confirmation(session, user)
        sent = "confirm_email"
    else:
        _send_code(session, user)
        sent = "password_reset"
    # One row for every request: support can tell an owner whether and what was sent, and an
    # unknown address costs the same write as a known one. The sending job starts after every
    # request, so that enqueueing it does not tell either.
    audit.record(session, None, "account.password_reset_requested", "email",
                 identifiers.hmac_hash(session, email, purpose="email"), after={"sent": sent})
    send_after_commit(session)
    session.flush()


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password with an emailed reset code. Promises: a code not signed by this app for
    a password reset, of an unconfirmed or deactivated account, or already spent (used, or the
    password changed since) is a 422 `token_invalid` on `token`; an expired one a 422
    `token_expired`; otherwise the password is hashed like any other, every login of the account
    is revoked, a `password_changed` notice is sent and the reset is audited. Of two concurrent
    uses of one code exactly one succeeds (the user row is locked, then the code re-checked)."""
    user_id, expires = codes.parse(token)
    user = session.scalar(select(User).where(User.id == user_id).with_for_update()) if user_id else None
    if (user is None or not user.is_active or user.email_confirmed_at is None
            or not codes.matches(session, token, user, expires, PURPOSE)):
        raise ValidationFailed("this password reset code is not valid", code="token_invalid", fields={
            "token": ["Not a password reset code of this site, or already used (or the password changed since)."]})
    if clock.now(session) > expires:
        raise ValidationFailed("this password reset code has expired", code="token_expired", fields={
            "token": ["Expired: ask for a new code (POST /api/v1/accounts/password-reset)."]})
    service.set_password(session, user, service.hash_password(session, new_password))
    audit.record(session, user.id, "account.password_reset", "user", user.id)
    session.flush()
    return user


def _send_code(session: Session, user: User) -> None:
    minutes = deps.of(session).settings.password_reset_minutes
    expires = clock.now(session).replace(microsecond=0) + timedelta(minutes=minutes)
    token = codes.sign(session, user, expires, PURPOSE)
    notify(session, user.id, "password_reset", event_key=f"reset:{token[-16:]}",
           params={"token": token, "expires": clock.local_text(expires), "minutes": minutes,
                   "link": f"{deps.of(session).buying.public_base_url}{LINK}"},
           ref_type="user", ref_id=user.id)
