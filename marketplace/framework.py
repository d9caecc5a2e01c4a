"""Every place the app reaches into a framework's internals, in one module.

Each patch says what it replaces, what it gains (bench/framework_patches.py, figures in
docs/BENCHMARKS.md) and what would break it. tests/unit/test_framework_patches.py holds each one
to a contract that fails when the framework changes under it: a new Flask, Flask-Limiter or
flask-smorest must fail that test, not silently drop the wrong hook or document the API wrongly.
Two former speed patches gained under 2 % of a listing read and were dropped (docs/BENCHMARKS.md,
"Framework patches"): caching `Flask.ensure_sync` per function (0.8 %) and unwrapping
flask-smorest's documentation-only decorators (0.3 %). Do not bring one back without a measurement.
Pinned versions these were written against: Flask 3.1, Flask-Limiter 4.1, flask-smorest 0.47.
"""
from __future__ import annotations

from functools import partial

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider


class FrameworkChanged(RuntimeError):
    """A framework no longer looks the way a patch here expects: fail at start-up, never guess."""


# --- Flask: the JSON provider ---------------------------------------------------------------------

class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with responses written by orjson: the same JSON (compact, UTF-8, keys in
    insertion order, dates as Flask writes them, UUIDs and Decimals as strings) in a fraction of
    the time. Anything orjson refuses (an integer beyond 64 bits) goes through Flask's own path;
    debug mode keeps Flask's indented output. Uses Flask's private `_prepare_response_obj` (the
    args/kwargs rule of `jsonify`) and `_app`; tests/unit/test_json_provider.py compares the output
    with Flask's own provider."""

    ensure_ascii = False  # Chinese titles stay readable on the wire
    sort_keys = False
    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def response(self, *args, **kwargs):
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=self._OPTIONS)
        except orjson.JSONEncodeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)


# --- Flask-Limiter: its three request hooks -------------------------------------------------------

# What Limiter.init_app registers, by hook list: the method's __qualname__ (the after-request hook is
# a functools.partial over the name-mangled Limiter.__inject_headers).
LIMITER_HOOKS = {"before_request_funcs": "Limiter._check_request_limit",
                 "after_request_funcs": "Limiter.__inject_headers",
                 "teardown_request_funcs": "Limiter.__release_context"}


def _owned_by(hook, owner) -> str | None:
    """The __qualname__ of `hook` when it is a method of `owner` (bound, or a partial over it)."""
    if isinstance(hook, partial):
        if hook.args and hook.args[0] is owner:
            return getattr(hook.func, "__qualname__", None)
        return None
    if getattr(hook, "__self__", None) is owner:
        return getattr(hook, "__qualname__", None)
    return None


def take_limiter_hooks(app: Flask, limiter) -> tuple:
    """Remove the hooks `limiter` registered on `app` and return them (check, inject, release), so
    that the app calls them only for requests that can be limited (marketplace/limits.py). Replaces
    taking them out by list position. Every hook of the limiter is found by its owner and must have
    the expected name, one per list; anything else raises FrameworkChanged at start-up.

    Gain: Flask-Limiter's hooks ran on every request, exempt reads included (see
    docs/BENCHMARKS.md). Breaks if Flask-Limiter renames, adds or stops registering a hook."""
    taken = []
    for attr, expected in LIMITER_HOOKS.items():
        hooks = getattr(app, attr).get(None, [])
        mine = [(i, _owned_by(h, limiter)) for i, h in enumerate(hooks) if _owned_by(h, limiter)]
        if [name for _, name in mine] != [expected]:
            raise FrameworkChanged(f"Flask-Limiter registered {[n for _, n in mine]} in {attr}, "
                                   f"expected [{expected!r}]: review marketplace/framework.py")
        taken.append(hooks.pop(mine[0][0]))
    for attr in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs"):
        for blueprint, hooks in getattr(app, attr).items():
            if any(_owned_by(h, limiter) for h in hooks):
                raise FrameworkChanged(f"Flask-Limiter registered another hook in {attr}[{blueprint!r}]")
    return tuple(taken)


# --- flask-smorest --------------------------------------------------------------------------------

def name_operations(docs: dict, name: str) -> None:
    """Give every operation of a blueprint an operationId ("blueprint.endpoint", plus ".method"
    when an endpoint has several), written into flask-smorest's private `Blueprint._docs` before it
    registers them (flask-smorest has no hook for it; apispec would otherwise leave them out).
    Breaks if `_docs` stops mapping endpoint -> {method: {"manual_doc": ...}, "parameters": ...};
    the contract test checks the private name and that the document carries the ids."""
    for endpoint, info in docs.items():
        methods = [m for m in info if m != "parameters"]
        for m in methods:
            op = f"{name}.{endpoint}" if len(methods) == 1 else f"{name}.{endpoint}.{m}"
            info[m].setdefault("manual_doc", {}).setdefault("operationId", op)


# flask_smorest.Api.init_app calls this private method to install its JSON error handlers; the app
# overrides it with a no-op because marketplace/errors.py answers every error as problem+json.
SMOREST_ERROR_HANDLER_HOOK = "_register_error_handlers"
