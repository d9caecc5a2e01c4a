"""Per-client rate limits (Flask-Limiter): the stricter auth limit on login, registration, token
refresh and password resets (a reset request is also limited per email address), the write limit
on every other write. Reads are not limited, and neither are POSTs that only compute an answer
(marked with @not_a_write, such as a subsidy quote).

Flask-Limiter runs three hooks on every request, even exempt ones (a third of a bare request's
cost, measured in bench/); here they run only for requests that can be limited. Taking them out
of Flask's hook lists is a patch of Flask-Limiter's internals: marketplace/framework.py."""
from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, g, request
from flask_limiter import Limiter

from marketplace.clients import address_key, client_key

from marketplace import framework

# Login, registration and token refresh get the stricter limit; every other write the default.
AUTH_ENDPOINTS = frozenset(("accounts.register", "accounts.login", "accounts.refresh", "accounts.confirm_email",
                            "accounts.request_password_reset", "accounts.reset_password"))
# Endpoints that email the address in their body also get a limit per address
# (RATE_LIMIT_PASSWORD_RESET), so that no number of clients can mail-bomb one mailbox.
PER_EMAIL_ENDPOINTS = frozenset(("accounts.request_password_reset",))
# Public look-ups by a device identifier get their own, stricter limit (RATE_LIMIT_LOOKUP): they
# answer whether an IMEI or serial has a certificate, so they must not be enumerable at speed.
LOOKUP_ENDPOINTS = frozenset(("certificates.lookup_certificate",))
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def not_a_write(view):
    """Mark a POST view that stores nothing (a computation): the write limit does not apply."""
    view._not_a_write = True
    return view


def email_key() -> str:
    """Rate-limit key of the address a request would email: a keyed hash of it (Redis keys do not
    list addresses), spelled as the accounts service normalises it; the client's address when the
    body has none (the request is refused by validation anyway)."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        return address_key()
    key = str(current_app.secret_key or "").encode()
    return "email:" + hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def init_app(app: Flask) -> None:
    # One Limiter per app (its storage and switches are instance state), keyed per client.
    limiter = Limiter(key_func=client_key, default_limits=[app.config["RATE_LIMIT_WRITE"]],
                      headers_enabled=True, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      storage_options={"socket_timeout": 2} if app.config["REDIS_URL"] else {},
                      swallow_errors=True)
    limiter.init_app(app)
    app.extensions["huanxin.limiter"] = limiter
    if not limiter.enabled:  # RATELIMIT_ENABLED=false: Flask-Limiter registered nothing
        return
    # Take Flask-Limiter's own hooks back out and call them only for limited requests.
    check, inject, release = framework.take_limiter_hooks(app, limiter)
    for endpoint in AUTH_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(app.config["RATE_LIMIT_AUTH"], key_func=address_key)(app.view_functions[endpoint])
    for endpoint in PER_EMAIL_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(app.config["RATE_LIMIT_PASSWORD_RESET"],
                                                     key_func=email_key)(app.view_functions[endpoint])
    for endpoint in LOOKUP_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(app.config["RATE_LIMIT_LOOKUP"], key_func=address_key)(app.view_functions[endpoint])

    def limited() -> bool:
        req = request._get_current_object()
        endpoint = req.endpoint
        if endpoint in AUTH_ENDPOINTS or endpoint in LOOKUP_ENDPOINTS:
            return True
        if req.method in SAFE_METHODS:
            return False
        view = app.view_functions.get(endpoint)
        return not getattr(view, "_not_a_write", False)

    @app.before_request
    def _rate_limit():
        if limited():
            g.rate_limited = True
            return check()
        return None

    @app.after_request
    def _rate_limit_headers(response):
        return inject(response) if g.get("rate_limited") else response

    @app.teardown_request
    def _rate_limit_release(exc=None):
        if g.get("rate_limited"):
            release(exc)
