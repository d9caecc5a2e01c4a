"""Races on real PostgreSQL: each contender in its own thread, session and transaction, released
together by a barrier."""
from __future__ import annotations

import threading
from typing import Callable

from sqlalchemy.orm import Session

from services.errors import DomainError


def race(app, fns: list[Callable[[Session], object]], timeout: float = 30) -> list:
    """Run each fn(session) in its own thread at the same moment; commit what succeeds, roll back
    what raises a DomainError. Returns the outcomes (a fn's result, or the DomainError)."""
    barrier, results, lock = threading.Barrier(len(fns)), [], threading.Lock()

    def run(fn):
        with app.app_context():
            s = app.extensions["db"].factory()
            try:
                barrier.wait(timeout)
                out = fn(s)
                s.commit()
            except DomainError as e:
                s.rollback()
                out = e
            finally:
                s.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
