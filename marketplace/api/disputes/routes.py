"""Disputes: the buyer complains within the acceptance window; an operator decides."""
from __future__ import annotations

from marketplace.api.disputes import schemas as s
from marketplace.api.payments.wiring import gateway
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.disputes import service
from services.disputes.models import DisputeStatus

blp = Blueprint("disputes", __name__, description="Disputes and chargebacks; capture and payout freeze while open")


@blp.route("/orders/<uuid:order_id>/disputes", methods=["POST"])
@idempotent
@blp.arguments(s.DisputeCreateSchema)
@blp.response(201, s.DisputeSchema)
def open_dispute(data, order_id):
    """Buyer: the item did not arrive or is not as described. Allowed before the money is captured
    and within the acceptance window; capture and the seller's payout freeze until an operator decides."""
    user = require_user()
    with unit_of_work() as session:
        dispute = service.open_dispute(session, user, order_id, reason=data["reason"],
                                       description=data["description"])
    return dispute, 201, {"Location": f"/api/v1/disputes/{dispute.id}"}


@blp.route("/disputes", methods=["GET"])
@blp.arguments(s.DisputeListArgs, location="query")
@blp.response(200, page_of(s.DisputeSchema))
def list_disputes(args):
    """Operators: every dispute (filter `status=open` for the queue); others: their orders' disputes."""
    user = require_user()
    return page(*service.list_for(db.session, user, status=DisputeStatus(args["status"]) if args["status"] else None,
                                  cursor=args["cursor"], limit=args["limit"]))


@blp.route("/disputes/<uuid:dispute_id>", methods=["GET"])
@blp.response(200, s.DisputeSchema)
def get_dispute(dispute_id):
    """One dispute, for the order's buyer and seller and operators."""
    return service.get(db.session, dispute_id, require_user())


@blp.route("/disputes/<uuid:dispute_id>/resolve", methods=["POST"])
@blp.arguments(s.ResolveSchema)
@blp.response(200, s.DisputeSchema)
def resolve_dispute(data, dispute_id):
    """Operator: release (seller paid in full), refund (buyer gets everything back, the listing is
    on sale again) or partial_refund (`amount_fen` back to the buyer). Audited."""
    user = require_operator()
    with unit_of_work() as session:
        return service.resolve(session, user, dispute_id, outcome=data["outcome"], amount_fen=data["amount_fen"],
                               note=data["note"], gateway=gateway())
