"""Seller standing: what a buyer sees of a seller on a listing, a search hit and the profile.

`summaries` reads many sellers with one statement (the listing index, search hits); `summary`
reads one (a listing, the profile). Aggregates come from the `seller_standing` row, kept current
by explicit calls from the flows where they change (services.flows.sales, services.flows.standing,
reached by orders, reviews and credit through their ports): a published review and an order
entering or leaving `completed` recount the user's rating and trades (`recount`, after locking
their row, so concurrent recounts serialise and the later one sees the earlier one's commit); a
new credit score sets the band of every user who acts for the scored subject (`set_bands`). Name, real-name and organisation verification are read live from
accounts, so they never go stale. Nothing private: no ID number, phone, email or address."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import IdStatus, Membership, Organization, OrgStatus, Role, User
from services.orders.models import Order, OrderStatus
from services.reviews.models import Review
from services.standing.models import SellerStanding

@dataclass(frozen=True)
class SellerSummary:
    id: uuid.UUID
    display_name: str
    real_name_verified: bool
    organisation_verified: bool
    rating_average: float | None
    rating_count: int
    completed_trades: int
    credit_band: str | None


_verified_org = exists().where(
    Membership.user_id == User.id, Membership.org_id == Organization.id,
    Organization.verification_status == OrgStatus.VERIFIED)

# Built once and run as Core (session.connection()), like services.pagination.Prepared: the
# one-listing GET and every page of listings and search hits run one of these. Through the ORM
# the same query cost more CPU than the rest of the listing GET (bench/listings.py).
_BASE = (
    select(User.id, User.display_name, User.id_status, _verified_org.label("org_verified"),
           SellerStanding.rating_sum, SellerStanding.rating_count, SellerStanding.completed_trades,
           SellerStanding.credit_band)
    .outerjoin(SellerStanding, SellerStanding.user_id == User.id)
    .where(User.role != Role.OPERATOR))
_ONE = _BASE.where(User.id == bindparam("id"))
_MANY = _BASE.where(User.id.in_(bindparam("ids", expanding=True)))


def _summary(row) -> SellerSummary:
    count = row.rating_count or 0
    return SellerSummary(
        id=row.id, display_name=row.display_name, real_name_verified=row.id_status == IdStatus.VERIFIED,
        organisation_verified=bool(row.org_verified),
        rating_average=round(row.rating_sum / count, 2) if count else None, rating_count=count,
        completed_trades=row.completed_trades or 0, credit_band=row.credit_band)


def summaries(session: Session, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SellerSummary]:
    """Seller summaries by user id, in one query; operators and unknown ids are left out."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {r.id: _summary(r) for r in session.connection().execute(_MANY, {"ids": ids})}


def summary(session: Session, user_id: uuid.UUID) -> SellerSummary | None:
    """One seller's summary, or None for an operator or an unknown id."""
    row = session.connection().execute(_ONE, {"id": user_id}).first()
    return None if row is None else _summary(row)


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _ensure_rows(session: Session, ids: list[uuid.UUID]) -> None:
    stmt = _insert(session)(SellerStanding.__table__).on_conflict_do_nothing(index_elements=["user_id"])
    # Only existing users: a score's subject id may be an organisation's.
    present = list(session.scalars(select(User.id).where(User.id.in_(ids)).order_by(User.id)))
    if present:
        session.execute(stmt, [{"user_id": i, "updated_at": clock.now(session)} for i in present])


def recount(session: Session, user_ids: Iterable[uuid.UUID]) -> None:
    """Recount the rating (published reviews about the user) and completed trades (as buyer or
    seller) of each user from the source rows, under a lock on their standing rows."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    _ensure_rows(session, ids)
    # Sorted, so two transactions recounting overlapping users cannot deadlock.
    session.execute(select(SellerStanding.user_id).where(SellerStanding.user_id.in_(ids))
                    .order_by(SellerStanding.user_id).with_for_update()).all()
    ratings = {s: (total, n) for s, total, n in session.execute(
        select(Review.subject_id, func.coalesce(func.sum(Review.stars), 0), func.count())
        .where(Review.subject_id.in_(ids), Review.published_at.is_not(None)).group_by(Review.subject_id))}
    trades = dict.fromkeys(ids, 0)
    for buyer, seller in session.execute(select(Order.buyer_id, Order.seller_id).where(
            Order.status == OrderStatus.COMPLETED, or_(Order.buyer_id.in_(ids), Order.seller_id.in_(ids)))):
        for party in {buyer, seller}:
            if party in trades:
                trades[party] += 1
    for uid in ids:
        total, n = ratings.get(uid, (0, 0))
        session.execute(update(SellerStanding).where(SellerStanding.user_id == uid).values(
            rating_sum=int(total), rating_count=n, completed_trades=trades[uid], updated_at=clock.now(session)))


def set_bands(session: Session, bands: dict[uuid.UUID, str]) -> None:
    """A score was computed for each subject (a consumer's user id or an organisation's id):
    every user who acts for it shows its band from now on."""
    if not bands:
        return
    users: dict[uuid.UUID, str] = {}
    for uid, org_id in session.execute(select(Membership.user_id, Membership.org_id).join(
            User, User.id == Membership.user_id).where(Membership.org_id.in_(list(bands)), User.role != Role.CONSUMER)):
        users[uid] = bands[org_id]
    for uid in session.scalars(select(User.id).where(User.id.in_(list(bands)), User.role == Role.CONSUMER)):
        users[uid] = bands[uid]
    if not users:
        return
    _ensure_rows(session, list(users))
    for uid in sorted(users):
        session.execute(update(SellerStanding).where(SellerStanding.user_id == uid).values(
            credit_band=users[uid], updated_at=clock.now(session)))
