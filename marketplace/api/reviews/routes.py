"""Reviews between buyer and seller after a completed order, published blind."""
from __future__ import annotations

from marketplace.api.payments.wiring import settings
from marketplace.api.reviews import schemas as s
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.reviews import service

blp = Blueprint("reviews", __name__, description="Reviews after completed orders")


@blp.route("/orders/<uuid:order_id>/reviews", methods=["POST"])
@idempotent
@blp.arguments(s.ReviewCreateSchema)
@blp.response(201, s.ReviewSchema)
def write_review(data, order_id):
    """Review the other side of your completed order (1-5 stars and text), once, within
    REVIEW_PUBLISH_DAYS. It is published when both sides have written or when the window closes."""
    user = require_user()
    with unit_of_work() as session:
        return service.write(session, user, order_id, stars=data["stars"], text=data["text"], settings=settings())


@blp.route("/orders/<uuid:order_id>/reviews", methods=["GET"])
@blp.response(200, s.ReviewSchema(many=True))
def order_reviews(order_id):
    """The order's published reviews, plus your own hidden one."""
    return service.for_order(db.session, require_user(), order_id)


@blp.route("/users/<uuid:user_id>/reviews", methods=["GET"])
@public
@blp.arguments(s.ReviewPageArgs, location="query")
@blp.response(200, page_of(s.ReviewSchema))
def user_reviews(args, user_id):
    """Published reviews about a user, newest first."""
    return page(*service.about(db.session, user_id, cursor=args["cursor"], limit=args["limit"]))
