"""Demo favourites and a saved search, so a newcomer logging in as consumer1@ sees both."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import User
from services.listings.models import Listing, Status
from services.watchlist import service as watchlist

SAVED = ("冰箱 一级能效 2000 元以内", {"q": "冰箱", "energy_grade": "1", "price_max": "200000"})


def seed(session: Session, watcher: User) -> list[str]:
    """Three favourites and one saved search (alerts from now on) for `watcher`."""
    picks = list(session.scalars(select(Listing.id).where(
        Listing.status == Status.PUBLISHED, Listing.seller_id != watcher.id)
        .order_by(Listing.created_at.desc()).limit(3)))
    for listing_id in picks:
        watchlist.add_favourite(session, watcher, listing_id)
    watchlist.save_search(session, watcher, name=SAVED[0], params=SAVED[1])
    return [f"favourites: {len(picks)} and saved search '{SAVED[0]}' for {watcher.email}"]
