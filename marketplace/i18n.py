"""Accept-Language at the edge: which language labels are given in (zh-CN unless the client
prefers English), and Content-Language on every response that carries them."""
from __future__ import annotations

import marshmallow as ma
from flask import Flask, g, has_request_context, request

from services import labels

# zh, zh-TW and the like read the Chinese labels; only a preference for English switches.
_OFFERED = ("zh-CN", "zh", "en")


def language() -> str:
    """The request's label language, negotiated once per request; marks the response for
    Content-Language. zh-CN outside a request."""
    if not has_request_context():
        return labels.DEFAULT
    lang = g.get("label_language")
    if lang is None:
        best = request.accept_languages.best_match(_OFFERED) if request.accept_languages else None
        lang = g.label_language = "en" if best == "en" else labels.DEFAULT
    return lang


def code(value):
    """An enum's value, or the value itself."""
    return getattr(value, "value", value)


def read_code(obj, field: str):
    """The code in `field` of a model or a dict, an enum as its value."""
    value = obj.get(field) if isinstance(obj, dict) else getattr(obj, field, None)
    return code(value)


def labels_field(fields: dict[str, str], getter=read_code, description: str = "") -> ma.fields.Function:
    """A `labels` object: for each coded field named in `fields` (field -> label table), its label
    in the Accept-Language language. `getter(obj, field)` reads the code."""
    props = {f: {"type": "string", "nullable": True, "description": f"Label of `{f}`"} for f in fields}

    def dump(obj):
        lang = language()
        return {f: labels.label(t, getter(obj, f), lang) for f, t in fields.items()}
    return ma.fields.Function(dump, metadata={
        "type": "object", "properties": props,
        "description": description or "Labels of the codes beside them, in the language asked for with "
                                      "Accept-Language (zh-CN by default, or en)."})


def init_app(app: Flask) -> None:
    @app.after_request
    def _content_language(response):
        lang = g.get("label_language")
        if lang is not None:
            response.headers["Content-Language"] = lang
            response.vary.add("Accept-Language")
        return response
