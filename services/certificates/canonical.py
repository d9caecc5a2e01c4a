"""Canonical JSON (RFC 8785, JCS): the exact bytes a certificate signature covers.

The same document must always give the same bytes, whatever key order, whitespace or
number spelling a client or a database round-trip produced; otherwise a verifier could
not rebuild what was signed. Floats are refused because certificate fields are integers,
strings, booleans and nulls only (capacity in bytes, money in fen), and a float's
shortest form is a needless source of disagreement between implementations.
"""
from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


class NotCanonicalisable(ValueError):
    """The value holds something JCS (or our stricter profile) cannot encode."""


def _reject_floats(value: Any, path: str = "$") -> None:
    if isinstance(value, float):
        raise NotCanonicalisable(f"{path}: floats are not allowed in a signed document")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotCanonicalisable(f"{path}: object keys must be strings")
            _reject_floats(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _reject_floats(v, f"{path}[{i}]")


def canonicalize(document: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of `document`."""
    _reject_floats(document)
    try:
        return rfc8785.dumps(document)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalisable(str(exc)) from exc


def digest(document: Any) -> str:
    """SHA-256 hex of the canonical form: a stable fingerprint for uniqueness and QR codes."""
    return hashlib.sha256(canonicalize(document)).hexdigest()
