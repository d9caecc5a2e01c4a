"""The unit of work a route opens: commit on success, roll back on error, then run the
after-commit hooks (e.g. the inline search relay of the embedded default)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from flask import Flask, current_app
from sqlalchemy.orm import Session

from marketplace.extensions import db

AfterCommit = Callable[[Flask], None]


def after_commit_hooks(app: Flask) -> list[AfterCommit]:
    return app.extensions.setdefault("huanxin.after_commit", [])


@contextmanager
def unit_of_work() -> Iterator[Session]:
    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    app = current_app._get_current_object()
    for hook in after_commit_hooks(app):
        hook(app)
