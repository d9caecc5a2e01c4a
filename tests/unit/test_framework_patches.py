"""Contracts of the patches in marketplace/framework.py: each fails when the framework it reaches
into changes under it (a renamed private method, a hook more or less, a different answer), so an
upgrade breaks here and not silently in production. The JSON provider's contract is
tests/unit/test_json_provider.py."""
from __future__ import annotations

from functools import partial

import flask_smorest
import marshmallow as ma
import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from marketplace import App, framework, openapi


def _view():
    return "ok"


# --- Flask-Limiter's hooks ------------------------------------------------------------------------

def _app_with_limiter():
    app = Flask("limited")
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = Limiter(get_remote_address, default_limits=["1/minute"], headers_enabled=True)
    return app, limiter


def test_flask_limiter_registers_exactly_the_hooks_we_take():
    app, limiter = _app_with_limiter()
    limiter.init_app(app)
    owned = {attr: [framework._owned_by(h, limiter) for h in getattr(app, attr).get(None, [])
                    if framework._owned_by(h, limiter)] for attr in framework.LIMITER_HOOKS}
    assert owned == {attr: [name] for attr, name in framework.LIMITER_HOOKS.items()}
    # Nothing of the limiter's registered on a blueprint or elsewhere either.
    for attr in framework.LIMITER_HOOKS:
        assert set(getattr(app, attr)) <= {None}


def test_taking_the_hooks_finds_them_by_owner_not_position():
    app, limiter = _app_with_limiter()
    first, last = (lambda: None), (lambda: None)
    app.before_request(first)
    app.after_request(first)
    app.teardown_request(first)
    limiter.init_app(app)
    app.before_request(last)
    app.after_request(last)
    app.teardown_request(last)
    check, inject, release = framework.take_limiter_hooks(app, limiter)
    assert check.__func__ is Limiter._check_request_limit and check.__self__ is limiter
    assert isinstance(inject, partial) and inject.func.__qualname__ == "Limiter.__inject_headers"
    assert release.__qualname__ == "Limiter.__release_context"
    for attr in framework.LIMITER_HOOKS:
        assert getattr(app, attr)[None] == [first, last]


def test_the_hooks_taken_still_limit_and_set_headers():
    app, limiter = _app_with_limiter()
    limiter.init_app(app)
    check, inject, release = framework.take_limiter_hooks(app, limiter)
    app.before_request(check)
    app.after_request(inject)
    app.teardown_request(release)
    app.route("/x")(_view)
    client = app.test_client()
    first = client.get("/x")
    assert first.status_code == 200 and first.headers["X-RateLimit-Limit"] == "1"
    assert client.get("/x").status_code == 429


def test_an_unexpected_limiter_hook_fails_at_start_up():
    app, limiter = _app_with_limiter()
    limiter.init_app(app)
    app.before_request(limiter.reset)  # as if a new Flask-Limiter registered one more hook
    with pytest.raises(framework.FrameworkChanged, match="before_request_funcs"):
        framework.take_limiter_hooks(app, limiter)
    app2, limiter2 = _app_with_limiter()  # ... or one fewer
    limiter2.init_app(app2)
    app2.teardown_request_funcs[None].clear()
    with pytest.raises(framework.FrameworkChanged, match="teardown_request_funcs"):
        framework.take_limiter_hooks(app2, limiter2)


def test_the_whole_app_takes_the_limiter_hooks(db_url, instance_dir):
    from tests.factories.app import make_app
    app = make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter = app.extensions["huanxin.limiter"]
    for attr in framework.LIMITER_HOOKS:
        assert not any(framework._owned_by(h, limiter) for h in getattr(app, attr).get(None, []))


# --- flask-smorest --------------------------------------------------------------------------------

class _Item(ma.Schema):
    id = ma.fields.Integer()


class _Args(ma.Schema):
    q = ma.fields.String()


def _spec(blueprint_class) -> dict:
    app = Flask("doc")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = openapi.Api(app)
    blp = blueprint_class("things", __name__)

    @blp.route("/things/<int:thing_id>")
    @blp.doc(description="One thing", tags=["extra"])
    @blp.alt_response(200, schema=_Item, success=True, description="The thing")
    @blp.alt_response(404, description="No such thing")
    def get_thing(thing_id):
        """A thing."""
        return {"id": thing_id}

    @blp.route("/things", methods=["GET", "POST"])
    @blp.arguments(_Args, location="query")
    @blp.response(200, _Item(many=True))
    def things(args):
        return []

    api.register_blueprint(blp)
    client = app.test_client()
    assert client.get("/things/3").json == {"id": 3}  # the view answers, whatever decorated it
    return api.spec.to_dict()


def test_every_operation_gets_an_operation_id_through_private_docs():
    assert hasattr(flask_smorest.Blueprint("x", __name__), "_docs")
    paths = _spec(openapi.Blueprint)["paths"]
    assert paths["/things/{thing_id}"]["get"]["operationId"] == "things.get_thing"
    assert {paths["/things"][m]["operationId"] for m in ("get", "post")} == {"things.things.get",
                                                                             "things.things.post"}


def test_flask_smorest_still_installs_error_handlers_through_the_hook_we_silence():
    calls = []

    class Counting(flask_smorest.Api):
        def _register_error_handlers(self):
            calls.append(self)
    assert callable(getattr(flask_smorest.Api, framework.SMOREST_ERROR_HANDLER_HOOK))
    app = Flask("x")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    Counting(app)
    assert len(calls) == 1
    silenced = Flask("y")
    silenced.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    openapi.Api(silenced)
    assert not silenced.error_handler_spec[None]  # flask-smorest's JSON handlers did not go in


def test_json_provider_private_helpers_still_exist():
    # OrjsonProvider.response relies on them; the output itself is held by test_json_provider.py.
    assert callable(DefaultJSONProvider._prepare_response_obj)
    app = App("ours")
    assert isinstance(app.json, framework.OrjsonProvider)
    assert app.json._app.debug is app.debug and app.json._app.response_class is app.response_class  # a weak proxy
