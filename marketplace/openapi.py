"""flask-smorest wired to our conventions: every operation gets an operationId, and errors are
documented (and returned) as application/problem+json."""
from __future__ import annotations

from functools import wraps

import flask_smorest
import marshmallow as ma

from marketplace import framework


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

    def _register_error_handlers(self):  # a private hook of flask-smorest: marketplace/framework.py
        # marketplace/errors.py registers the problem+json handlers for the whole app.
        pass


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, *args, **kwargs):
        # webargs instantiates a Schema class on every request (deep-copying its fields); an
        # instance made here once is reused. Loading keeps no state on the schema instance.
        if isinstance(schema, type):
            schema = schema()
        if kwargs.get("location") == "query":
            # An unknown query parameter is a 422 naming it (as GET /search does), never silently
            # ignored: `GET /listings?price_max=100` must not answer the whole catalogue.
            kwargs.setdefault("unknown", ma.RAISE)
        return super().arguments(schema, *args, **kwargs)

    def documented_arguments(self, schema, *args, **kwargs):
        """`arguments`' OpenAPI entry (and its 422) without its parsing, for a hot route that reads
        `request.args` itself and names every bad parameter in its own 422 (GET /search: webargs'
        parse of a schema of plain strings cost ~0.2 ms a request and could not fail).
        tests/unit/test_search_arguments_doc.py holds the document to what `arguments` writes."""
        def decorator(func):
            documented = self.arguments(schema, *args, **kwargs)(func)  # for its _apidoc only

            @wraps(func)
            def view(*f_args, **f_kwargs):
                return func(*f_args, **f_kwargs)
            view._apidoc = documented._apidoc
            return view
        return decorator

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        framework.name_operations(self._docs, name)
        return super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)
