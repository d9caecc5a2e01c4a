"""Checks on a JSON request body before anything parses it, run by the content-type hook in
create_app. Each costs a few C-level scans of the bytes on an ordinary body; the slower exact
checks run only when a cheap scan says they might fail.

- Size: JSON bodies above JSON_MAX_BYTES are a 413 (uploads have MAX_CONTENT_LENGTH).
- Depth: more than JSON_MAX_DEPTH nested arrays/objects is a 400. Python's parser recurses, so a
  few thousand levels ended in a RecursionError (a 500); a few hundred would reach the services.
- Hidden text: bidirectional controls (U+202A-E, U+2066-9, U+200E/F, U+061C) and C0/C1 control
  characters other than tab and line breaks are refused in every string, naming the field: a
  right-to-left override makes a title read differently from what it says."""
from __future__ import annotations

import json
import re

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Raw UTF-8 of the refused characters, or their JSON escapes; the exact check decides.
_SUSPECT = re.compile(rb"\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c|\xc2[\x80-\x9f]|\x7f"
                      rb"|\\u(?:00[01][0-9a-fA-F]|007[fF]|008[0-9a-fA-F]|009[0-9a-fA-F]|200[eEfF]|202[a-eA-E]"
                      rb"|206[6-9]|061[cC])")
_REFUSED = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def too_deep(data: bytes, limit: int) -> bool:
    """True when arrays and objects nest more than `limit` levels (brackets in strings don't count)."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    if b'"' in data:
        data = _STRING.sub(b'""', data)
    depth = 0
    for b in data.translate(None, _NOT_BRACKETS):
        if b == 91 or b == 123:  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def hidden_text_fields(data: bytes) -> dict[str, list[str]]:
    """Field path -> message for every string (or key) holding a refused character; {} if none.
    Call only on a body already held to the depth limit."""
    if not _SUSPECT.search(data):
        return {}
    try:
        doc = json.loads(data)
    except ValueError:
        return {}  # not JSON: the schema will say so
    found: dict[str, list[str]] = {}
    _walk(doc, "", found)
    return found


def _walk(value, path: str, found: dict) -> None:
    if isinstance(value, str):
        if _REFUSED.search(value):
            found[path or "_body"] = ["Contains a control or bidirectional formatting character."]
    elif isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if _REFUSED.search(k):
                found[sub] = ["Contains a control or bidirectional formatting character."]
            _walk(v, sub, found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, f"{path}.{i}" if path else str(i), found)
