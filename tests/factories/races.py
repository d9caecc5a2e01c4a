"""Races on real PostgreSQL: each contender in its own thread, released together by a barrier.

- `race(app, fns)`: each fn(session) in its own session and transaction (commit on success,
  roll back on a DomainError, which is returned as the outcome);
- `race_clients(app, n, call)`: n requests at once, call(client, i), each through its own test
  client (its own request context and database session);
- `at_once(contenders)`: the barrier underneath both.
An exception other than a DomainError fails the test in the main thread, never vanishes in a worker."""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

from sqlalchemy.orm import Session

from marketplace.extensions import db
from services.errors import DomainError

T = TypeVar("T")


class _Raised:
    def __init__(self, exc: BaseException):
        self.exc = exc


def at_once(contenders: list[Callable[[Callable[[], None]], T]], timeout: float = 120) -> list[T]:
    """Run each contender(go) in its own thread; each calls go() when it is ready, and go() returns
    when all of them are. Returns the outcomes in the contenders' order; re-raises the first exception."""
    barrier = threading.Barrier(len(contenders))
    outcomes: list = [None] * len(contenders)

    def run(i: int, contender) -> None:
        try:
            outcomes[i] = contender(lambda: barrier.wait(timeout))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            outcomes[i] = _Raised(exc)
            barrier.abort()  # the others must not wait for a contender that is gone

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a contender did not finish in time"
    for out in outcomes:
        if isinstance(out, _Raised) and not isinstance(out.exc, threading.BrokenBarrierError):
            raise out.exc
    for out in outcomes:
        if isinstance(out, _Raised):
            raise out.exc
    return outcomes


def race(app, fns: list[Callable[[Session], object]], timeout: float = 120) -> list:
    """Run each fn(session) in its own thread at the same moment; commit what succeeds, roll back
    what raises a DomainError. Returns the outcomes (a fn's result, or the DomainError)."""
    def contender(fn):
        def run(go):
            with app.app_context():
                s = db.factory()
                try:
                    go()
                    out = fn(s)
                    s.commit()
                    return out
                except DomainError as e:
                    s.rollback()
                    return e
                finally:
                    s.close()
        return run

    return at_once([contender(fn) for fn in fns], timeout)


def race_clients(app, n: int, call: Callable[[object, int], T], timeout: float = 180) -> list[T]:
    """Send n requests at once: call(client, i) in n threads, each with its own test client.
    Returns the responses in order of i."""
    def contender(i):
        def run(go):
            client = app.test_client()
            go()
            return call(client, i)
        return run

    return at_once([contender(i) for i in range(n)], timeout)
