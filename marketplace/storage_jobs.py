"""Periodic job: remove staged upload files a crash left behind (services/storage.py)."""
from __future__ import annotations

from flask import current_app

from services.storage import LocalDiskStorage

# A staged file lives for one request; anything this old belongs to no transaction any more.
STAGED_MAX_AGE_SECONDS = 3600


def sweep_staged_files(session) -> int:
    return LocalDiskStorage(current_app.config["STORAGE_DIR"]).sweep_staged(STAGED_MAX_AGE_SECONDS)
