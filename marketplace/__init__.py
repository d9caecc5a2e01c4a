"""The HTTP edge: create_app wires configuration, extensions, resources and handlers."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, request
from flask.sessions import SessionInterface

from marketplace import apidocs, auth, bodies, cli, clients, errors, extensions, health, jobs, limits, logs, resources
from marketplace import config as config_mod
from marketplace import container as container_mod
from marketplace import framework
from marketplace.api.search import wiring as search_wiring
from marketplace.errors import problem
from services.settings import Settings


class _NoCookieSessions(SessionInterface):
    """The API authenticates with bearer tokens and never uses Flask's cookie session; the
    default interface would still build an itsdangerous signer on every request."""

    def open_session(self, app, request):
        return None  # Flask substitutes its read-only null session


class App(Flask):
    """Flask with the per-request costs of features we do not use taken out (measured in bench/):
    no cookie sessions, responses written by orjson (which reaches into Flask's internals:
    marketplace/framework.py)."""

    session_interface = _NoCookieSessions()
    json_provider_class = framework.OrjsonProvider


def create_app(overrides: dict | None = None, *, deps: Mapping[str, Any] | None = None) -> Flask:
    """An app wired once: the settings read from the environment (then `overrides`, by environment
    name), every collaborator built into one Container (app.extensions["container"]); `deps`
    replaces collaborators by services.deps.Deps field name (tests: a FrozenClock, a gateway)."""
    app = App(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    settings = config_mod.load_settings(app.instance_path, overrides)
    app.config.update(settings.as_config())
    # Keys that are not settings (Flask's own, such as TESTING) pass through as given.
    app.config.update({k: v for k, v in (overrides or {}).items() if k.lower() not in Settings.kinds()})
    app.config.update(
        API_TITLE="Huanxin marketplace API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=apidocs.ASSETS_URL,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}]},
    )

    app.extensions[jobs.APP_FACTORY] = create_app  # the RQ worker builds its own app with it

    logs.init_app(app)
    services_deps = container_mod.build_deps(settings, deps)
    extensions.init_db(app, services_deps)
    app.extensions[container_mod.KEY] = container_mod.Container(deps=services_deps, search=search_wiring.build(app))
    api = extensions.init_api(app)
    errors.init_app(app)
    auth.init_app(app)
    health.init_app(app)
    apidocs.init_app(app)
    resources.register(app, api)
    cli.init_app(app)
    clients.init_app(app)
    limits.init_app(app)
    _content_types(app)
    resources.init_hooks(app)
    return app


def _content_types(app: Flask) -> None:
    max_bytes, max_depth = app.config["JSON_MAX_BYTES"], app.config["JSON_MAX_DEPTH"]
    accepted = {"application/json", "multipart/form-data"}
    with_body = frozenset(("POST", "PUT", "PATCH"))

    @app.before_request
    def _require_known_body_type():
        req = request._get_current_object()  # one proxy lookup instead of one per attribute
        bad: list[str] = []
        if req.method in with_body and req.path.startswith("/api/"):
            if not req.path.startswith("/api/v1/webhooks/") and (req.content_length or 0) > 0 \
                    and req.mimetype not in accepted:
                return problem(415, "Unsupported Media Type",
                               f"Send application/json (or multipart/form-data for uploads), not '{req.mimetype}'.",
                               code="unsupported_media_type")
            if req.is_json:
                if (req.content_length or 0) > max_bytes or len(data := req.get_data()) > max_bytes:
                    return problem(413, "Content Too Large", f"A JSON body may be at most {max_bytes} bytes.",
                                   code="body_too_large")
                if bodies.too_deep(data, max_depth):
                    return problem(400, "Bad Request", f"JSON may nest at most {max_depth} levels.",
                                   code="json_too_deep")
                if b"\\u0000" in data or b"\x00" in data:
                    bad = ["_body"]
                elif not req.path.startswith("/api/v1/webhooks/"):
                    hidden = bodies.hidden_text_fields(data)
                    if hidden:
                        return problem(422, "Unprocessable Entity", "Text may not contain control or "
                                       "bidirectional formatting characters.", code="validation_failed",
                                       errors=hidden)
        # PostgreSQL cannot store NUL in text: refuse it at the edge, naming the parameter,
        # rather than letting a query fail deep inside. The raw query string tells cheaply
        # whether the parsed arguments need looking at.
        query = req.environ.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            bad += sorted({k for k, v in req.args.items(multi=True) if "\x00" in k or "\x00" in v})
        if bad:
            return problem(422, "Unprocessable Entity", "Text may not contain NUL characters.",
                           code="validation_failed", errors={k or "_query": ["Contains a NUL character."] for k in bad})
        return None
