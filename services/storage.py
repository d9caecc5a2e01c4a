"""Blob storage behind an interface: local disk by default, an object store later.

Files follow their transaction (`put_on_commit`, `delete_on_commit`): a new file is written
under a staging name and published under its key only when the transaction that records it
commits (removed on rollback); a deleted file goes only once the deletion has committed. Before,
a rollback after the write left an orphan file, and one after the delete a row without its file.
A crash between staging and commit leaves a staged file, which `sweep_staged` removes."""
from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Callable, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from services.errors import NotFound

log = logging.getLogger(__name__)
STAGED = ".staged-"


class BlobMissing(NotFound):
    """A row names a file the store no longer has (lost disk, a restore without the files, rows
    seeded without files): the caller gets a 404 saying so, and the log gets the key, instead of
    a 500."""
    code = "file_missing"


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...  # BlobMissing when there is no such file
    def delete(self, key: str) -> None: ...
    def stage(self, key: str, data: bytes, content_type: str) -> str: ...
    def publish(self, staged_key: str, key: str) -> None: ...
    def sweep_staged(self, older_than_seconds: float) -> int: ...


class LocalDiskStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        p = (self.root / key).resolve()
        if self.root.resolve() not in p.parents:
            raise ValueError("storage key escapes the root")
        return p

    def put(self, key: str, data: bytes, content_type: str) -> None:
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    def get(self, key: str) -> bytes:
        """The file's bytes; BlobMissing when the key names no file."""
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            log.error("stored file missing", extra={"storage_key": key})
            raise BlobMissing("The file is no longer stored.") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def stage(self, key: str, data: bytes, content_type: str) -> str:
        staged = f"{key}{STAGED}{uuid.uuid4().hex}"
        self.put(staged, data, content_type)
        return staged

    def publish(self, staged_key: str, key: str) -> None:
        self._path(staged_key).replace(self._path(key))  # atomic on one filesystem

    def sweep_staged(self, older_than_seconds: float) -> int:
        cutoff, removed = time.time() - older_than_seconds, 0
        if not self.root.exists():
            return 0
        for p in self.root.rglob(f"*{STAGED}*"):
            if p.is_file() and p.stat().st_mtime < cutoff:
                p.unlink(missing_ok=True)
                removed += 1
        return removed


def put_on_commit(session: Session, storage: Storage, key: str, data: bytes, content_type: str) -> None:
    """Write the file now under a staging name; it appears under `key` when the session's
    transaction commits and is removed if it rolls back."""
    staged = storage.stage(key, data, content_type)
    _on_outcome(session, lambda: storage.publish(staged, key), lambda: storage.delete(staged))


def delete_on_commit(session: Session, storage: Storage, key: str) -> None:
    """Delete the file once the session's transaction commits (kept if it rolls back)."""
    _on_outcome(session, lambda: storage.delete(key), None)


_PENDING = "storage_on_outcome"


def _on_outcome(session: Session, on_commit: Callable[[], None], on_rollback: Callable[[], None] | None) -> None:
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    session.info[_PENDING].append((on_commit, on_rollback))


def _run(session: Session, index: int) -> None:
    pending, session.info[_PENDING] = session.info.get(_PENDING, []), []
    for pair in pending:
        fn = pair[index]
        if fn is None:
            continue
        try:
            fn()
        except OSError:  # a file step must not turn a committed request into an error
            log.exception("storage step after the transaction failed")


def _committed(session: Session) -> None:
    _run(session, 0)


def _rolled_back(session: Session) -> None:
    _run(session, 1)
