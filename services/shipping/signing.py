"""Carrier webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>" with the carrier's secret,
sent as `X-Carrier-Timestamp` (unix seconds) and `X-Carrier-Signature: sha256=<hex>`. The
timestamp is signed so a captured request cannot be replayed later with a fresh one; replays
within the tolerance are stopped by the event id (unique per carrier). Pure: no I/O."""
from __future__ import annotations

import hashlib
import hmac


class BadSignature(Exception):
    pass


def sign(secret: str, timestamp: int, raw: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, raw: bytes, timestamp: str | None, signature: str | None, *, now: float,
           tolerance: int) -> None:
    """Raise BadSignature unless `signature` signs `raw` at `timestamp` within `tolerance` of `now`."""
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise BadSignature("missing or malformed X-Carrier-Timestamp") from None
    if abs(now - ts) > tolerance:
        raise BadSignature("timestamp outside the tolerance")
    if not signature or not hmac.compare_digest(sign(secret, ts, raw), signature):
        raise BadSignature("signature does not match")
