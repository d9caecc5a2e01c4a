"""Who is calling: bearer access tokens, resolved once per request."""
from __future__ import annotations

from flask import Flask, g, request

from marketplace.extensions import db
from services.accounts import service as accounts
from services.accounts.models import Role, User
from services.errors import Forbidden, Unauthorized

_UNSET = object()


def bearer_token() -> str | None:
    auth = request.environ.get("HTTP_AUTHORIZATION", "")
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
    # The id as a plain value: a rollback later in the request expires the ORM object, and reading
    # its id then is a query (one that fails while the database is away, in the access log).
    g.current_user_id = user.id if user is not None else None
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


# Endpoints are private by default: an anonymous call is a 401 before any validation runs.
# Anonymous endpoints say so with @public (or are listed here when they are not ours).
PUBLIC_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "static"}


def public(view):
    """Mark a view as callable without authentication (the OpenAPI doc says so too)."""
    view._public = True
    doc = getattr(view, "_apidoc", {})
    view._apidoc = {**doc, "manual_doc": {**doc.get("manual_doc", {}), "security": []}}
    return view


def is_public(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "_public", False))


def init_app(app: Flask) -> None:
    @app.before_request
    def _authenticate():
        req = request._get_current_object()
        if not req.path.startswith("/api/v1/"):
            return
        user = current_user()  # a bad token is a 401 even on public endpoints
        if user is None and not is_public(app, req.endpoint):
            raise Unauthorized("authentication required (send a bearer access token)",
                               code="authentication_required")
