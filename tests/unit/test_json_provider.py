"""Responses are written by orjson (marketplace._JSONProvider); they must say exactly what Flask's
own provider says, for every kind of value our views return."""
import dataclasses
import datetime as dt
import enum
import json

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings, strategies as st

from marketplace import App


class Colour(str, enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: str


scalars = (st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.floats(allow_nan=False, allow_infinity=False)
           | st.text() | st.uuids() | st.datetimes(timezones=st.just(dt.timezone.utc)) | st.dates()
           | st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.just(Colour.RED)
           | st.builds(Point, st.integers(), st.text()))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8) | st.integers(-5, 5), inner, max_size=4), max_leaves=20)


def _flask_app() -> Flask:
    app = Flask("reference")
    app.json = DefaultJSONProvider(app)
    app.json.ensure_ascii, app.json.sort_keys = False, False
    return app


OURS, REFERENCE = App("ours"), _flask_app()


@settings(max_examples=400, deadline=None)
@given(values)
def test_orjson_responses_say_what_flask_says(value):
    with OURS.app_context():
        ours = OURS.json.response(value)
    with REFERENCE.app_context():
        reference = REFERENCE.json.response(value)
    assert ours.mimetype == reference.mimetype == "application/json"
    assert json.loads(ours.get_data()) == json.loads(reference.get_data())
    assert ours.get_data().endswith(b"\n")


def test_big_integers_and_chinese_text():
    with OURS.app_context():
        body = OURS.json.response({"big": 2**70, "title": "华为 MatePad", "at": dt.date(2026, 12, 4)}).get_data()
    assert json.loads(body) == {"big": 2**70, "title": "华为 MatePad", "at": "Fri, 04 Dec 2026 00:00:00 GMT"}
    assert "华为".encode() in body  # UTF-8 on the wire, not \\u escapes


def test_unserialisable_values_still_fail_loudly():
    import pytest
    with OURS.app_context(), pytest.raises(TypeError):
        OURS.json.response({"x": object()})
