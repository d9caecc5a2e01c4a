"""Reviews after a completed order: each side rates the other once (1 to 5 stars and text).
Reviews stay hidden until both sides have written or the review window (14 days after
completion by default) has closed, so neither side can answer the other's review in kind."""
from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, pagination
from services.accounts.models import User
from services.credit.interface import record_event
from services.errors import Conflict, NotFound
from services.orders import interface as orders
from services.orders.models import Order, OrderStatus
from services.orders.interface import BuyingSettings
from services.reviews.models import Review
from services.reviews.ports import review_hooks

REVIEWABLE = (OrderStatus.COMPLETED,)


def write(session: Session, author: User, order_id, *, stars: int, text: str, settings: BuyingSettings) -> Review:
    """The author's one review of the other side of a completed order, within the window."""
    order = orders.lock(session, order_id)
    role = orders.side(author, order)
    if role == "operator":
        raise NotFound("no such order")
    if order.status not in REVIEWABLE or order.completed_at is None:
        raise Conflict("only completed orders are reviewed", code="order_not_completed")
    if clock.now(session) > order.completed_at + settings.review_window:
        raise Conflict("the review window has closed", code="review_window_closed")
    subject = order.seller_id if role == "buyer" else order.buyer_id
    review = Review(order_id=order.id, author_id=author.id, subject_id=subject, author_role=role,
                    stars=stars, text=text or "", created_at=clock.now(session))
    session.add(review)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("you already reviewed this order", code="review_exists") from None
    both = list(session.scalars(select(Review).where(Review.order_id == order.id)))
    if len(both) == 2:
        for r in both:
            _publish(session, r)
        session.flush()
        review_hooks(session).published(session, {r.subject_id for r in both})
    session.flush()
    return review


def _publish(session: Session, review: Review) -> None:
    if review.published_at is not None:
        return
    review.published_at = clock.now(session)
    record_event(session, review.subject_id, "review_received", ref_type="review", ref_id=review.id,
                 value=review.stars, detail={"order_id": str(review.order_id)}, occurred_at=review.published_at)


def publish_due(session: Session, settings: BuyingSettings) -> int:
    """Publish reviews whose order's review window has closed; returns how many."""
    cutoff = clock.now(session) - settings.review_window
    due = list(session.scalars(
        select(Review).join(Order, Order.id == Review.order_id)
        .where(Review.published_at.is_(None), Order.completed_at <= cutoff)
        .with_for_update(of=Review, skip_locked=True)))
    for r in due:
        _publish(session, r)
    session.flush()
    if due:
        review_hooks(session).published(session, {r.subject_id for r in due})
    return len(due)


def for_order(session: Session, viewer: User, order_id) -> list[Review]:
    """Published reviews of the order, plus the viewer's own unpublished one."""
    order = orders.get(session, order_id, viewer)
    stmt = select(Review).where(Review.order_id == order.id)
    rows = session.scalars(stmt.order_by(Review.created_at))
    return [r for r in rows if r.published_at is not None or r.author_id == viewer.id or viewer.is_operator]


def about(session: Session, subject_id, *, cursor, limit):
    """Published reviews about a user, newest first."""
    stmt = select(Review).where(and_(Review.subject_id == subject_id, Review.published_at.is_not(None)))
    return pagination.page(session, stmt, Review, cursor, limit)
