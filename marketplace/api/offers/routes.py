"""Offers on negotiable listings: offer, counter, accept (the order is created at that price),
decline, withdraw."""
from __future__ import annotations

from marketplace.api.offers import schemas as s
from marketplace.api.orders.routes import present
from marketplace.api.payments.wiring import gateway, settings
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.offers import service
from services.offers.models import OfferStatus

blp = Blueprint("offers", __name__, description="Price offers and counter-offers on negotiable listings")


@blp.route("/listings/<uuid:listing_id>/offers", methods=["POST"])
@idempotent
@blp.arguments(s.OfferCreateSchema)
@blp.response(201, s.OfferSchema)
def make_offer(data, listing_id):
    """Offer a price (at most the asking price) on a published, negotiable listing. It expires
    after OFFER_EXPIRY_HOURS unless the seller answers."""
    user = require_user()
    with unit_of_work() as session:
        offer = service.make(session, user, listing_id, amount_fen=data["amount_fen"], message=data["message"],
                             settings=settings())
    return offer, 201, {"Location": f"/api/v1/offers/{offer.id}"}


@blp.route("/offers", methods=["GET"])
@blp.arguments(s.OfferListArgs, location="query")
@blp.response(200, page_of(s.OfferSchema))
def list_offers(args):
    """Offers you made or received (`role` narrows it)."""
    user = require_user()
    return page(*service.list_for(db.session, user, role=args["role"],
                                  status=OfferStatus(args["status"]) if args["status"] else None,
                                  cursor=args["cursor"], limit=args["limit"]))


@blp.route("/offers/<uuid:offer_id>", methods=["GET"])
@blp.response(200, s.OfferSchema)
def get_offer(offer_id):
    """One offer, for its buyer and seller."""
    return service.get(db.session, offer_id, require_user())


def _respond(offer_id, action, **kw):
    user = require_user()
    with unit_of_work() as session:
        offer, order = service.respond(session, user, offer_id, action, gateway=gateway(), settings=settings(), **kw)
    return {"offer": offer, "order": present(db.session, order, user) if order else None}


@blp.route("/offers/<uuid:offer_id>/accept", methods=["POST"])
@blp.response(200, s.OfferResultSchema)
def accept_offer(offer_id):
    """Accept the other side's offer: the order is created at the offered price for the buyer,
    who then pays as for any order. 409 if the listing was bought meanwhile."""
    return _respond(offer_id, "accept")


@blp.route("/offers/<uuid:offer_id>/decline", methods=["POST"])
@blp.response(200, s.OfferResultSchema)
def decline_offer(offer_id):
    """Decline the other side's offer."""
    return _respond(offer_id, "decline")


@blp.route("/offers/<uuid:offer_id>/counter", methods=["POST"])
@blp.arguments(s.CounterSchema)
@blp.response(200, s.OfferResultSchema)
def counter_offer(data, offer_id):
    """Answer the other side's offer with another price; the answer is a new offer."""
    return _respond(offer_id, "counter", amount_fen=data["amount_fen"], message=data["message"])


@blp.route("/offers/<uuid:offer_id>/withdraw", methods=["POST"])
@blp.response(200, s.OfferResultSchema)
def withdraw_offer(offer_id):
    """Take back your own open offer."""
    return _respond(offer_id, "withdraw")
