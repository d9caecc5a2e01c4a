"""Demo trades with ratings: a few appliance listings of consumer sellers bought through the real
order services (offline gateway: cash in hand), handed over, accepted, and reviewed by both sides
so the reviews are published and sellers show a rating and trade count on their listings."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import User
from services.listings.models import Category, Listing, Status
from services.orders import interface as orders
from services.orders.interface import BuyingSettings
from services.payments.interface import OfflineGateway
from services.reviews import service as reviews

# (stars the buyer gives, the buyer's words; stars the seller gives, the seller's words)
REVIEWS = [(5, "冰箱很新，卖家准时送到，非常靠谱 Fridge as described, on time.", 5, "爽快的买家 Quick payer."),
           (4, "有点小划痕，描述里有说，整体满意 Small scratch, as described.", 5, "沟通顺畅 Easy to deal with."),
           (5, "一级能效，和描述一致 Exactly as listed.", 4, "准时取货 Picked up on time.")]


def seed(session: Session, consumers: list[User]) -> list[str]:
    """Completed, mutually reviewed orders between demo consumers; returns summary lines."""
    settings, gateway = BuyingSettings(), OfflineGateway()
    by_id = {u.id: u for u in consumers}
    listings = list(session.scalars(select(Listing).where(
        Listing.status == Status.PUBLISHED, Listing.category == Category.APPLIANCE,
        Listing.seller_id.in_(list(by_id))).order_by(Listing.created_at.desc()).limit(len(REVIEWS))))
    done = 0
    for i, (listing, (b_stars, b_text, s_stars, s_text)) in enumerate(zip(listings, REVIEWS)):
        seller = by_id[listing.seller_id]
        buyer = [u for u in consumers if u.id != seller.id][i]
        order = orders.place(session, buyer, listing.id, gateway=gateway, settings=settings)
        orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
        orders.hand_over(session, seller, order.id, settings=settings)
        orders.accept(session, buyer, order.id, gateway=gateway)
        reviews.write(session, buyer, order.id, stars=b_stars, text=b_text, settings=settings)
        reviews.write(session, seller, order.id, stars=s_stars, text=s_text, settings=settings)
        done += 1
    return [f"trades: {done} completed orders, each reviewed by both sides (ratings are published)"]
