"""flask-smorest wired to our conventions: every operation gets an operationId, and errors are
documented (and returned) as application/problem+json."""
from __future__ import annotations

import flask_smorest
import marshmallow as ma


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    request_id = ma.fields.String()


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # marketplace/errors.py registers the problem+json handlers for the whole app.
        pass


def _doc_only(decorate):
    """flask-smorest's documentation-only decorators (doc, alt_response) wrap the view in a
    function that merely calls it, one more call through current_app per decorator and request.
    Keep the documentation they record and return the view itself."""
    def decorator(func):
        func._apidoc = decorate(func)._apidoc
        return func
    return decorator


class Blueprint(flask_smorest.Blueprint):
    def doc(self, **kwargs):
        return _doc_only(super().doc(**kwargs))

    def alt_response(self, *args, **kwargs):
        return _doc_only(super().alt_response(*args, **kwargs))

    def arguments(self, schema, *args, **kwargs):
        # webargs instantiates a Schema class on every request (deep-copying its fields); an
        # instance made here once is reused. Loading keeps no state on the schema instance.
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        for endpoint, info in self._docs.items():
            methods = [m for m in info if m != "parameters"]
            for m in methods:
                op = f"{name}.{endpoint}" if len(methods) == 1 else f"{name}.{endpoint}.{m}"
                info[m].setdefault("manual_doc", {}).setdefault("operationId", op)
        return super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)
