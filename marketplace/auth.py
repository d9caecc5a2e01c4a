"""Who is calling: bearer access tokens, resolved once per request."""
from __future__ import annotations

from flask import g, request

from marketplace.extensions import db
from services.accounts import service as accounts
from services.accounts.models import Role, User
from services.errors import Forbidden, Unauthorized

_UNSET = object()


def bearer_token() -> str | None:
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def current_user() -> User | None:
    """The authenticated user, None for anonymous; a bad or expired token is a 401, not anonymous."""
    cached = g.get("current_user", _UNSET)
    if cached is not _UNSET:
        return cached
    token = bearer_token()
    user = None
    if token:
        user = accounts.authenticate(db.session, token)
        if user is None:
            raise Unauthorized("invalid or expired access token", code="invalid_token")
    g.current_user = user
    return user


def require_user(*roles: Role) -> User:
    user = current_user()
    if user is None:
        raise Unauthorized("authentication required", code="authentication_required")
    if roles and user.role not in roles:
        raise Forbidden(f"requires role {' or '.join(r.value for r in roles)}", code="role_required")
    return user


def require_operator() -> User:
    return require_user(Role.OPERATOR)
