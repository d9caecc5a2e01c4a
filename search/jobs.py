"""The search relay as a periodic job (marketplace/jobs.py schedules it)."""
from __future__ import annotations

from typing import Callable, Sequence

from sqlalchemy.orm import Session

from search import sync
from search.backends.base import SearchBackend


def relay_backlog(session: Session, *, session_factory: Callable[[], Session],
                  backends: Sequence[SearchBackend], max_batches: int) -> int:
    """Safety net behind the inline relay: ship up to ``max_batches`` batches of what it deferred
    (a search outage, a crash after commit). Each batch is its own transaction from
    ``session_factory``; the job's own ``session`` is not used. Returns how many rows were claimed."""
    return sync.drain(session_factory, backends, max_batches=max_batches).claimed
