"""Seller summaries for listing reads, cached per app for a few seconds.

A listing page shows the same sellers again and again; their rating, trade count and band change
rarely and a summary a few seconds old misleads nobody. The cache keeps the hot reads (one listing,
the index: bench/listings.py) at one database round trip most of the time. Kept in
app.extensions (built in init_app), so two apps share nothing."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Iterable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from services.standing import service as standing

CACHE = "huanxin.seller_summaries"
MAX_ENTRIES = 50_000


class SellerCache:
    def __init__(self, ttl_seconds: float):
        self.ttl = ttl_seconds
        self._data: dict[uuid.UUID, tuple[float, standing.SellerSummary | None]] = {}
        self._lock = threading.Lock()

    def many(self, session: Session, user_ids: Iterable[uuid.UUID]) -> dict:
        now = time.monotonic()
        found, missing = {}, []
        for uid in set(user_ids):
            entry = self._data.get(uid)
            if entry is not None and entry[0] > now:
                found[uid] = entry[1]
            else:
                missing.append(uid)
        if missing:
            fetched = standing.summaries(session, missing)
            with self._lock:
                if len(self._data) > MAX_ENTRIES:
                    self._data.clear()
                for uid in missing:
                    found[uid] = fetched.get(uid)
                    if self.ttl > 0:
                        self._data[uid] = (now + self.ttl, found[uid])
        return {k: v for k, v in found.items() if v is not None}

    def one(self, session: Session, user_id: uuid.UUID):
        return self.many(session, (user_id,)).get(user_id)


def init_app(app: Flask) -> None:
    app.extensions[CACHE] = SellerCache(float(app.config["SELLER_SUMMARY_CACHE_SECONDS"]))


def cache() -> SellerCache:
    return current_app.extensions[CACHE]
