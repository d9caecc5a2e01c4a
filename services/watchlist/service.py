"""Favourites and saved searches.

Alerts are batched: a saved search notifies its owner at most once per period with every new
matching listing since the last alert; a user hears about price drops on their favourites at most
once per period, in one message. Matching a batch of new listings against saved searches needs the
search engine, so the job that runs it is orchestrated above this package (marketplace/alerts.py);
this module keeps the rows and sends the notifications."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, pagination
from services.accounts.models import User
from services.errors import Conflict, NotFound, ValidationFailed
from services.listings import interface as listings
from services.listings.models import Listing, Status
from services.notifications.models import NotificationLog
from services.notifications.interface import Message, Notifier
from services.watchlist.models import Favourite, SavedSearch

MAX_SAVED_SEARCHES = 50


@dataclass(frozen=True)
class AlertSettings:
    period: timedelta = timedelta(hours=1)   # at most one alert per saved search (or price-drop digest) per period


# ---- favourites -----------------------------------------------------------------------------------

def add_favourite(session: Session, user: User, listing_id) -> tuple[Favourite, bool]:
    """Favourite a listing the user can see (idempotent); returns (row, created)."""
    listing = listings.get(session, listing_id, user)
    found = session.scalar(select(Favourite).where(Favourite.user_id == user.id, Favourite.listing_id == listing.id))
    if found:
        return found, False
    row = Favourite(id=uuid.uuid4(), user_id=user.id, listing_id=listing.id, created_at=clock.now(session),
                    known_price_fen=listing.price_fen)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.scalar(select(Favourite).where(Favourite.user_id == user.id,
                                                      Favourite.listing_id == listing.id)), False
    return row, True


def remove_favourite(session: Session, user: User, listing_id) -> None:
    session.execute(Favourite.__table__.delete().where(Favourite.user_id == user.id,
                                                       Favourite.listing_id == listing_id))


def favourites(session: Session, user: User, *, cursor, limit):
    """The user's favourites, newest first, each with its listing."""
    stmt = select(Favourite).where(Favourite.user_id == user.id)
    return pagination.page(session, stmt, Favourite, cursor, limit)


def favourite_counts(session: Session, listing_ids: list) -> dict:
    if not listing_ids:
        return {}
    return dict(session.execute(select(Favourite.listing_id, func.count()).where(
        Favourite.listing_id.in_(listing_ids)).group_by(Favourite.listing_id)).all())


def _recently_alerted(session: Session, user_id, kind: str, ref_id: str | None, since: datetime) -> bool:
    stmt = select(func.count()).select_from(NotificationLog).where(
        NotificationLog.recipient_id == user_id, NotificationLog.kind == kind, NotificationLog.created_at > since)
    if ref_id is not None:
        stmt = stmt.where(NotificationLog.ref_id == ref_id)
    return session.scalar(stmt) > 0


def price_drop_alerts(session: Session, notifier: Notifier, settings: AlertSettings) -> int:
    """One message per user (at most once per period) listing every favourite now cheaper than the
    price they knew; those prices become known. Returns how many users were told."""
    now = clock.now(session)
    rows = session.execute(
        select(Favourite, Listing.title, Listing.price_fen).join(Listing, Listing.id == Favourite.listing_id)
        .where(Listing.price_fen < Favourite.known_price_fen, Listing.status == Status.PUBLISHED)
        .order_by(Favourite.user_id, Favourite.id)).all()
    by_user: dict = {}
    for fav, title, price in rows:
        by_user.setdefault(fav.user_id, []).append((fav, title, price))
    told = 0
    for user_id, drops in by_user.items():
        if _recently_alerted(session, user_id, "favourite_price_drop", None, now - settings.period):
            continue
        lines = [f"{title}: ¥{fav.known_price_fen / 100:.2f} → ¥{price / 100:.2f}" for fav, title, price in drops]
        notifier.send(session, Message(
            recipient_id=user_id, kind="favourite_price_drop", title=f"收藏降价 {len(drops)} 件 · Price drops on your favourites",
            body="\n".join(lines), ref_type="favourites",
            data={"listings": [{"id": str(f.listing_id), "old_price_fen": f.known_price_fen, "price_fen": p}
                               for f, _, p in drops]}))
        for fav, _, price in drops:
            fav.known_price_fen = price
        told += 1
    session.flush()
    return told


# ---- saved searches -------------------------------------------------------------------------------

def save_search(session: Session, user: User, *, name: str, params: dict) -> SavedSearch:
    """Keep checked search parameters (the caller validated them as a search); alerts start with
    listings published from now on."""
    count = session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id))
    if count >= MAX_SAVED_SEARCHES:
        raise Conflict(f"at most {MAX_SAVED_SEARCHES} saved searches", code="too_many_saved_searches")
    if not params:
        raise ValidationFailed("empty search", fields={"params": ["Give a query or at least one filter."]})
    row = SavedSearch(id=uuid.uuid4(), user_id=user.id, name=name, params=params, created_at=clock.now(session),
                      checked_until=clock.now(session))
    session.add(row)
    session.flush()
    return row


def saved_searches(session: Session, user: User, *, cursor, limit):
    stmt = select(SavedSearch).where(SavedSearch.user_id == user.id)
    return pagination.page(session, stmt, SavedSearch, cursor, limit)


def delete_search(session: Session, user: User, search_id) -> None:
    row = session.get(SavedSearch, search_id)
    if row is None or row.user_id != user.id:
        raise NotFound("no such saved search")
    session.delete(row)
    session.flush()


def due_searches(session: Session, settings: AlertSettings) -> list[SavedSearch]:
    """Saved searches that may alert now (none in the last period), oldest checked first."""
    now = clock.now(session)
    stmt = (select(SavedSearch).where((SavedSearch.last_alert_at.is_(None)) |
                                      (SavedSearch.last_alert_at <= now - settings.period))
            .order_by(SavedSearch.checked_until).with_for_update(skip_locked=True))
    return list(session.scalars(stmt))


def new_listings(session: Session, since: datetime, until: datetime, limit: int = 5000) -> list[Listing]:
    """Listings published in (since, until], oldest first: what saved searches have not seen."""
    return list(session.scalars(select(Listing).where(
        Listing.status == Status.PUBLISHED, Listing.published_at > since, Listing.published_at <= until)
        .order_by(Listing.published_at).limit(limit)))


def record_search_matches(session: Session, notifier: Notifier, saved: SavedSearch, matched: list[Listing],
                          until: datetime) -> bool:
    """One alert with the new listings that match, if any; the search is checked up to `until`.
    Returns whether the user was told."""
    saved.checked_until = until
    mine = [m for m in matched if m.seller_id != saved.user_id]
    if not mine:
        return False
    notifier.send(session, Message(
        recipient_id=saved.user_id, kind="saved_search_match",
        title=f"「{saved.name}」有 {len(mine)} 件新发布 · {len(mine)} new for “{saved.name}”",
        body="\n".join(f"{m.title} ¥{m.price_fen / 100:.2f}" for m in mine[:20]),
        ref_type="saved_search", ref_id=str(saved.id),
        data={"listings": [str(m.id) for m in mine]}))
    saved.last_alert_at = clock.now(session)
    return True
