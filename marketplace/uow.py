"""The unit of work a route opens: commit on success, roll back on error, then run the
after-commit hooks (e.g. the inline search relay of the embedded default).

Under an Idempotency-Key (marketplace/idempotency.py) the unit of work only flushes: the key's
stored answer must commit in the same transaction as the effect, so the idempotency wrapper
commits and then runs the hooks."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from marketplace.extensions import db

AfterCommit = Callable[[Flask], None]
DEFER_COMMIT = "uow_defer_commit"


def after_commit_hooks(app: Flask) -> list[AfterCommit]:
    return app.extensions.setdefault("huanxin.after_commit", [])


def run_after_commit_hooks(app: Flask) -> None:
    for hook in after_commit_hooks(app):
        hook(app)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    session = db.session
    deferred = g.get(DEFER_COMMIT, False)
    try:
        yield session
        if deferred:
            session.flush()
            g.uow_pending = True  # done, to be committed by whoever deferred it
            return
        session.commit()
    except BaseException:
        session.rollback()
        raise
    run_after_commit_hooks(current_app._get_current_object())
