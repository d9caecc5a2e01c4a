"""Revisions of published listings: the seller's pending change, the operators' review queue and decision."""
from __future__ import annotations

from marketplace.api.listing_revisions import schemas as s
from marketplace.uploads import storage
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.flows.publishing import PUBLISH_GATES
from services.listings import revisions
from services.listings.models import RevisionStatus

blp = Blueprint("listing_revisions", __name__,
                description="Changes to published listings, reviewed while the approved version stays on sale")


@blp.route("/listings/<uuid:listing_id>/revisions", methods=["GET"])
@blp.response(200, s.RevisionSchema(many=True))
def listing_revisions(listing_id):
    """Every revision of your listing, newest first (also for operators)."""
    return revisions.for_listing(db.session, require_user(), listing_id)


@blp.route("/listing-revisions", methods=["GET"])
@blp.arguments(s.QueueArgs, location="query")
@blp.response(200, page_of(s.RevisionSchema))
def review_queue(args):
    """The operators' review queue: revisions in a status (default pending), newest first."""
    rows, nxt = revisions.queue(db.session, require_operator(), status=RevisionStatus(args["status"]),
                                cursor=args["cursor"], limit=args["limit"])
    return page(rows, nxt)


@blp.route("/listing-revisions/<uuid:revision_id>", methods=["GET"])
@blp.response(200, s.RevisionSchema)
def get_revision(revision_id):
    """One revision, with the values on sale now beside the proposed ones."""
    return revisions.get(db.session, require_user(), revision_id)


@blp.route("/listing-revisions/<uuid:revision_id>/transitions", methods=["POST"])
@blp.arguments(s.RevisionDecisionSchema)
@blp.response(200, s.RevisionSchema)
def decide_revision(data, revision_id):
    """approve (applies it to the listing at once) or reject with a reason (operators, audited);
    withdraw (the seller). A decided revision is a 409."""
    user = require_user()
    with unit_of_work() as session:
        return revisions.decide(session, storage(), user, revision_id, data["action"], data["reason"],
                                gates=PUBLISH_GATES)
