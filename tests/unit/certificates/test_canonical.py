import json

import pytest

from services.certificates.canonical import NotCanonicalisable, canonicalize, digest


def test_key_order_and_whitespace_do_not_change_the_bytes():
    a = {"b": [1, {"y": None, "x": True}], "a": "换新"}
    b = json.loads(json.dumps(a, indent=4, sort_keys=False, ensure_ascii=True))
    b = dict(reversed(list(b.items())))
    assert canonicalize(a) == canonicalize(b) == \
        '{"a":"换新","b":[1,{"x":true,"y":null}]}'.encode()
    assert digest(a) == digest(b)


def test_rfc8785_sorts_keys_by_utf16_code_units():
    # U+FB33 < U+1F600 as code points, but the emoji's UTF-16 lead surrogate (0xD83D) sorts first
    doc = {"\ufb33": 2, "\U0001f600": 1}
    assert canonicalize(doc).decode() == '{"\U0001f600":1,"\ufb33":2}'


def test_floats_are_refused_anywhere():
    with pytest.raises(NotCanonicalisable, match=r"\$\.media\[0\]\.capacity"):
        canonicalize({"media": [{"capacity": 1.5}]})


def test_integers_outside_the_json_safe_range_are_refused():
    with pytest.raises(NotCanonicalisable):
        canonicalize({"n": 2**60})
