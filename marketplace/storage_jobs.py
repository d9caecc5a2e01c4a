"""Periodic job: remove staged upload files a crash left behind (services/storage.py)."""
from __future__ import annotations

from services import deps

# A staged file lives for one request; anything this old belongs to no transaction any more.
STAGED_MAX_AGE_SECONDS = 3600


def sweep_staged_files(session) -> int:
    return deps.of(session).storage.sweep_staged(STAGED_MAX_AGE_SECONDS)
