"""Offers on negotiable listings. The buyer offers a price; the side that did not make the latest
offer accepts, declines or counters it; either side may withdraw its own open offer; offers
expire. Accepting creates the order at the offered price (the listing is reserved atomically,
so an accepted offer on a listing someone else just bought is a 409 and stays open)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, pagination
from services.accounts.models import User
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings import interface as listings
from services.listings.models import Listing, Status as ListingStatus
from services.notifications.interface import money, notify
from services.offers.models import Offer, OfferStatus, Side
from services.orders import interface as orders
from services.orders.models import Order
from services.orders.interface import BuyingSettings
from services.payments.interface import PaymentGateway


def _side(user: User, offer: Offer, listing: Listing) -> Side:
    if user.id == offer.buyer_id:
        return Side.BUYER
    if listings.can_manage(user, listing):
        return Side.SELLER
    raise NotFound("no such offer")


def _lock(session: Session, offer_id) -> Offer:
    offer = session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update())
    if offer is None:
        raise NotFound("no such offer")
    return offer


def _open_for(offer: Offer, who: Side, now) -> None:
    """The offer must be pending, unexpired, and answered by the side that did not make it."""
    if offer.status != OfferStatus.PENDING:
        raise Conflict(f"the offer is {offer.status.value}", code="offer_closed")
    if offer.expires_at <= now:
        raise Conflict("the offer has expired", code="offer_expired")
    if who == offer.made_by:
        raise Forbidden("the other side answers this offer", code="not_your_turn")


def _check_amount(listing: Listing, amount_fen: int) -> None:
    if not 0 < amount_fen <= listing.price_fen:
        raise ValidationFailed("offer out of range",
                               fields={"amount_fen": [f"Between 1 and the asking price {listing.price_fen} fen."]})


def make(session: Session, buyer: User, listing_id, *, amount_fen: int, message: str | None,
         settings: BuyingSettings) -> Offer:
    """A buyer's offer on a published, negotiable listing (one open negotiation per listing)."""
    listing = session.get(Listing, listing_id)
    if listing is None or not listings.can_view(buyer, listing):
        raise NotFound("no such listing")
    if buyer.is_operator or listings.can_manage(buyer, listing):
        raise Forbidden("you cannot make an offer on this listing", code="own_listing")
    if listing.status != ListingStatus.PUBLISHED:
        raise Conflict("the listing is not available", code="listing_unavailable")
    if not listing.negotiable:
        raise Conflict("the price of this listing is fixed", code="not_negotiable")
    _check_amount(listing, amount_fen)
    offer = Offer(listing_id=listing.id, buyer_id=buyer.id, seller_id=listing.seller_id, made_by=Side.BUYER,
                  amount_fen=amount_fen, message=message, status=OfferStatus.PENDING,
                  expires_at=clock.now(session) + timedelta(hours=settings.offer_expiry_hours))
    session.add(offer)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("you already have an open offer on this listing", code="offer_exists") from None
    notify(session, listing.seller_id, "offer_received", event_key=f"offer:{offer.id}",
                params={"title": listing.title, "amount": money(amount_fen)}, ref_type="offer", ref_id=offer.id)
    return offer


def get(session: Session, offer_id, viewer: User) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("no such offer")
    if not viewer.is_operator:
        _side(viewer, offer, session.get(Listing, offer.listing_id))
    return offer


def list_for(session: Session, user: User, *, role: str | None, status: OfferStatus | None, cursor, limit):
    selling = select(Listing.id).where(or_(Listing.seller_id == user.id,
                                           Listing.org_id.in_(list(user.org_ids()))))
    mine = {"buyer": Offer.buyer_id == user.id, "seller": Offer.listing_id.in_(selling)}
    stmt = select(Offer).where(mine[role] if role else or_(*mine.values()))
    if status:
        stmt = stmt.where(Offer.status == status)
    return pagination.page(session, stmt, Offer, cursor, limit)


def respond(session: Session, actor: User, offer_id, action: str, *, amount_fen: int | None = None,
            message: str | None = None, gateway: PaymentGateway, settings: BuyingSettings):
    """accept -> (offer, order); decline, withdraw -> (offer, None); counter -> (new offer, None)."""
    offer = _lock(session, offer_id)
    listing = session.get(Listing, offer.listing_id)
    who = _side(actor, offer, listing)
    if action == "withdraw":
        if who != offer.made_by:
            raise Forbidden("only the side that made an offer withdraws it", code="not_your_offer")
        if offer.status != OfferStatus.PENDING:
            raise Conflict(f"the offer is {offer.status.value}", code="offer_closed")
        return _close(offer, OfferStatus.WITHDRAWN, clock.now(session)), None
    _open_for(offer, who, clock.now(session))
    if action == "decline":
        return _close(offer, OfferStatus.DECLINED, clock.now(session)), None
    if action == "counter":
        if amount_fen is None:
            raise ValidationFailed("a counter-offer needs an amount", fields={"amount_fen": ["Required."]})
        _check_amount(listing, amount_fen)
        _close(offer, OfferStatus.COUNTERED, clock.now(session))
        session.flush()   # the pending slot of this negotiation is free for the counter-offer
        counter = Offer(listing_id=offer.listing_id, buyer_id=offer.buyer_id, seller_id=offer.seller_id,
                        made_by=who, amount_fen=amount_fen, message=message, status=OfferStatus.PENDING,
                        parent_id=offer.id, expires_at=clock.now(session) + timedelta(hours=settings.offer_expiry_hours))
        session.add(counter)
        session.flush()
        return counter, None
    if action == "accept":
        buyer = session.get(User, offer.buyer_id)
        order = orders.place(session, buyer, offer.listing_id, gateway=gateway, settings=settings,
                             price_fen=offer.amount_fen, offer_id=offer.id)
        _close(offer, OfferStatus.ACCEPTED, clock.now(session))
        offer.order_id = order.id
        session.flush()
        return offer, order
    raise ValidationFailed("unknown action", fields={"action": ["accept, decline, counter or withdraw."]})


def _close(offer: Offer, status: OfferStatus, now) -> Offer:
    offer.status = status
    offer.responded_at = now
    return offer


def end_on_sale(session: Session, listing_id) -> int:
    """The listing was sold (an order of it completed): every offer still pending on it is
    declined, in the caller's transaction. Returns how many."""
    return session.execute(update(Offer).where(Offer.listing_id == listing_id, Offer.status == OfferStatus.PENDING)
                           .values(status=OfferStatus.DECLINED, responded_at=clock.now(session))
                           .execution_options(synchronize_session=False)).rowcount


def expire_due(session: Session) -> int:
    """Expire open offers past their time; returns how many."""
    due = list(session.scalars(select(Offer).where(Offer.status == OfferStatus.PENDING,
                                                   Offer.expires_at <= clock.now(session)).with_for_update(skip_locked=True)))
    for offer in due:
        _close(offer, OfferStatus.EXPIRED, clock.now(session))
    session.flush()
    return len(due)


def order_of(session: Session, offer: Offer) -> Order | None:
    return session.get(Order, offer.order_id) if offer.order_id else None
