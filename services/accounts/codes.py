"""Emailed one-time codes (email confirmation, password reset): signed, expiring and bound to the
account as it is now, so that nothing about them needs to be stored.

A code is `<user id hex>.<expiry unix seconds>.<signature>`; the signature is HMAC-SHA256 under
SECRET_KEY of the purpose, the account, its address, its password hash and the expiry. A code of
one purpose is never valid for another, and any change of the address or the password hash spends
every code issued before it."""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from services import deps
from services.accounts.models import User


def sign(session: Session, user: User, expires: datetime, purpose: bytes) -> str:
    """The code for `purpose` that `user`, as it is now, accepts until `expires`."""
    head = f"{user.id.hex}.{int(expires.timestamp())}"
    key = (deps.of(session).settings.secret_key or "").encode()
    msg = b"|".join((purpose, head.encode(), user.email.encode(), user.password_hash.encode()))
    sig = base64.urlsafe_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).rstrip(b"=").decode()
    return f"{head}.{sig}"


def parse(token: str) -> tuple[uuid.UUID | None, datetime]:
    """The account and expiry a code claims (not checked: `matches` does that); (None, the
    earliest time) for something that is not shaped like a code."""
    parts = token.split(".") if isinstance(token, str) else []
    try:
        return uuid.UUID(hex=parts[0]), datetime.fromtimestamp(int(parts[1]), tz=timezone.utc)
    except (IndexError, ValueError, OverflowError, OSError):
        return None, datetime.min.replace(tzinfo=timezone.utc)


def matches(session: Session, token: str, user: User | None, expires: datetime, purpose: bytes) -> bool:
    """Whether `token` is this app's code for `purpose` of `user` as it is now (compared in
    constant time)."""
    return user is not None and hmac.compare_digest(token.encode(), sign(session, user, expires, purpose).encode())
