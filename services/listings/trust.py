"""What the seller's credit band promises a listing (services/credit/privileges.json):

- `listing_limit`: how many listings the seller may have in review, on sale or reserved at once.
  Submitting one more is refused (409 `listing_limit_reached`, naming the band and the limit).
- `manual_review_new_listings`: when false (good band and above), a submitted listing that passes
  every publish gate is published at once, audited as `listing.auto_approve` with the band;
  otherwise it waits in the review queue for an operator.

The seller is scored as their organisation when the listing belongs to one (a retailer's staff
sell for it), else as themselves. The band is read when the listing is submitted.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import audit, clock
from services.credit import interface as credit
from services.errors import Conflict
from services.listings.models import ACTIVE_STATES, Listing, Status


def _subject(listing: Listing):
    return listing.org_id or listing.seller_id


def _active_count(session: Session, listing: Listing) -> int:
    owner = Listing.org_id == listing.org_id if listing.org_id else (
        (Listing.seller_id == listing.seller_id) & Listing.org_id.is_(None))
    return session.scalar(select(func.count()).select_from(Listing).where(
        owner, Listing.status.in_(ACTIVE_STATES), Listing.id != listing.id)) or 0


def _serialise(session: Session, subject) -> None:
    # Two submissions by one seller racing for the last slot would both count the same total; a
    # transaction-scoped advisory lock on the seller makes the second count after the first commits.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"listing_limit:{subject}"))))


def check_submit(session: Session, listing: Listing, privileges_file: str | None = None
                 ) -> credit.PrivilegeView:
    """Refuse a submission beyond the band's listing limit (409 listing_limit_reached), also
    under concurrent submissions; returns the seller's privileges (from `privileges_file`, the
    configured CREDIT_PRIVILEGES_FILE, or the shipped policy)."""
    _serialise(session, _subject(listing))
    view = credit.privileges_for(session, _subject(listing), privileges_file)
    limit = view.privileges.listing_limit
    if _active_count(session, listing) >= limit:
        raise Conflict(f"your credit band ({view.band}) allows {limit} listings in review or on sale at once;"
                       " withdraw one or wait until one sells", code="listing_limit_reached")
    return view


def auto_approve(session: Session, listing: Listing, view: credit.PrivilegeView) -> bool:
    """Publish a just-submitted listing at once when the band waives manual review."""
    if view.privileges.manual_review_new_listings:
        return False
    listing.status = Status.PUBLISHED
    listing.published_at = clock.now(session)
    audit.record(session, None, "listing.auto_approve", "listing", listing.id,
                 before={"status": Status.PENDING_REVIEW.value}, after={"status": Status.PUBLISHED.value},
                 reason=f"credit band {view.band} ({view.score}): no manual review")
    return True
