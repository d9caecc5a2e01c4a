"""The pre-parse body checks of marketplace/bodies.py."""
import json

from hypothesis import given, strategies as st

from marketplace.bodies import hidden_text_fields, too_deep


def _depth(v) -> int:
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    return 0


docs = st.recursive(st.none() | st.integers() | st.text(alphabet='[]{}"\\ab'),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=30)


@given(docs, st.integers(0, 6))
def test_depth_check_agrees_with_the_parsed_document(doc, limit):
    assert too_deep(json.dumps(doc).encode(), limit) == (_depth(doc) > limit)


def test_hidden_text_names_nested_fields():
    body = json.dumps({"attributes": {"model": "A\u202eB"}, "items": [{"note": "ok"}, {"note": "x\u0001"}]}).encode()
    assert set(hidden_text_fields(body)) == {"attributes.model", "items.1.note"}
    assert hidden_text_fields(json.dumps({"t": "中文 line\nbreak\ttab"}).encode()) == {}
    assert hidden_text_fields(b'{"t": "not \\\\u202e a control"}') == {}
