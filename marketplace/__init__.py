"""The HTTP edge: create_app wires configuration, extensions, resources and handlers."""
from __future__ import annotations

import os

from flask import Flask, request

from marketplace import config as config_mod


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.config.update(config_mod.load(app.instance_path, overrides))
    app.config.update(
        API_TITLE="Huanxin marketplace API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        RATELIMIT_STORAGE_URI=app.config["REDIS_URL"] or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}]},
    )
    app.json.ensure_ascii = False  # Chinese titles stay readable on the wire
    app.json.sort_keys = False

    from services import identifiers
    identifiers.configure(app.config["ID_HASH_KEY"])

    from marketplace import auth, cli, errors, health, logs
    from marketplace.extensions import api, db
    from marketplace import api as resources

    logs.init_app(app)
    db.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    health.init_app(app)
    resources.register(app, api)
    cli.init_app(app)
    _rate_limits(app)
    _content_types(app)
    resources.init_hooks(app)
    return app


# Login, registration and token refresh get the stricter limit; every other write the default.
AUTH_ENDPOINTS = ("accounts.register", "accounts.login", "accounts.refresh")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _rate_limits(app: Flask) -> None:
    # One Limiter per app (its storage and switches are instance state), keyed per client.
    from flask_limiter import Limiter
    from marketplace.extensions import client_key
    limiter = Limiter(key_func=client_key, default_limits=[app.config["RATE_LIMIT_WRITE"]],
                      default_limits_exempt_when=lambda: request.method in SAFE_METHODS,
                      headers_enabled=True, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      storage_options={"socket_timeout": 2} if app.config["REDIS_URL"] else {},
                      swallow_errors=True)
    limiter.init_app(app)
    limiter.request_filter(lambda: request.method in SAFE_METHODS and request.endpoint not in AUTH_ENDPOINTS)
    for endpoint in AUTH_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(app.config["RATE_LIMIT_AUTH"])(app.view_functions[endpoint])
    app.extensions["huanxin.limiter"] = limiter


def _content_types(app: Flask) -> None:
    from marketplace.errors import problem

    accepted = {"application/json", "multipart/form-data"}

    @app.before_request
    def _require_known_body_type():
        if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/api/") \
                and not request.path.startswith("/api/v1/webhooks/") \
                and (request.content_length or 0) > 0 and request.mimetype not in accepted:
            return problem(415, "Unsupported Media Type",
                           f"Send application/json (or multipart/form-data for uploads), not '{request.mimetype}'.",
                           code="unsupported_media_type")
        # PostgreSQL cannot store NUL in text: refuse it at the edge, naming the parameter,
        # rather than letting a query fail deep inside.
        bad = sorted({k for k, v in request.args.items(multi=True) if "\x00" in k or "\x00" in v})
        if not bad and request.is_json and (b"\\u0000" in request.get_data() or b"\x00" in request.get_data()):
            bad = ["_body"]
        if bad:
            return problem(422, "Unprocessable Entity", "Text may not contain NUL characters.",
                           code="validation_failed", errors={k or "_query": ["Contains a NUL character."] for k in bad})
        return None
