"""Checks a listing must pass before it is published.

Other domains plug in here without listings importing them at module load: the data-wipe
domain requires a valid certificate for an electronics device, the trade-in domain refuses a
device on the blocklist. Each entry is "module:function" taking (session, listing) and
raising a DomainError that names the rule.
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from sqlalchemy.orm import Session

PUBLISH_GATES: list[str] = [
    "services.blocklist.gates:refuse_blocked_listing",
    "services.certificates.verify:listing_gate",
]


@lru_cache(maxsize=None)
def _resolve(path: str):
    mod, fn = path.split(":")
    return getattr(importlib.import_module(mod), fn)


def check_publish(session: Session, listing) -> None:
    for path in PUBLISH_GATES:
        _resolve(path)(session, listing)
