"""Disputes: the buyer complains within the acceptance window; an operator decides."""
from __future__ import annotations


from marketplace import container
from marketplace.api.disputes import schemas as s
from marketplace.api.payments.wiring import gateway
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uploads import image_response, storage, uploaded_bytes
from marketplace.uow import unit_of_work
from services.disputes import evidence, service
from services.disputes.models import DisputeStatus

blp = Blueprint("disputes", __name__, description="Disputes and chargebacks; capture and payout freeze while open")


def _settings() -> evidence.DisputeSettings:
    return container.current().deps.disputes




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
    on sale again), partial_refund (`amount_fen` back to the buyer) or return (the buyer ships the
    item back; the full refund follows its delivery). Audited."""
    user = require_operator()
    with unit_of_work() as session:
        return service.resolve(session, user, dispute_id, outcome=data["outcome"], amount_fen=data["amount_fen"],
                               note=data["note"], gateway=gateway())


@blp.route("/disputes/<uuid:dispute_id>/evidence", methods=["GET"])
@blp.response(200, s.EvidenceSchema(many=True))
def list_evidence(dispute_id):
    """Both sides' statements and photos, oldest first (the two sides and operators)."""
    return evidence.listed(db.session, require_user(), dispute_id)


@blp.route("/disputes/<uuid:dispute_id>/evidence", methods=["POST"])
@blp.arguments(s.EvidenceStatementSchema)
@blp.response(201, s.EvidenceSchema)
def add_statement(data, dispute_id):
    """Buyer or seller: a written statement, within the evidence window."""
    user = require_user()
    with unit_of_work() as session:
        return evidence.add_statement(session, user, dispute_id, data["text"], _settings())


@blp.route("/disputes/<uuid:dispute_id>/evidence/photos", methods=["POST"])
@blp.arguments(s.EvidencePhotoUploadSchema, location="files")
@blp.response(201, s.EvidenceSchema)
def add_photo(files, dispute_id):
    """Buyer or seller: a photo (JPEG, PNG or WebP; EXIF removed), within the evidence window."""
    user = require_user()
    with unit_of_work() as session:
        return evidence.add_photo(session, storage(), user, dispute_id, uploaded_bytes(), _settings())


@blp.route("/disputes/evidence/photos/<uuid:evidence_id>", methods=["GET"])
@blp.response(200, content_type="image/*")
def evidence_photo(evidence_id):
    """An evidence photo, for the two sides and operators."""
    row = evidence.photo(db.session, require_user(), evidence_id)
    return image_response(storage().get(row.photo_key), row.photo_type, public=False)


@blp.route("/disputes/<uuid:dispute_id>/response", methods=["POST"])
@blp.arguments(s.DisputeResponseSchema)
@blp.response(200, s.DisputeSchema)
def respond(data, dispute_id):
    """Seller, once, within the response window: accept_refund (settles at once),
    offer_partial_refund (`amount_fen`; the buyer may accept it) or contest (the operator decides)."""
    user = require_user()
    with unit_of_work() as session:
        return evidence.respond(session, user, dispute_id, action=data["action"], amount_fen=data["amount_fen"],
                                statement=data["statement"], settings=_settings(), gateway=gateway())


@blp.route("/disputes/<uuid:dispute_id>/offer/accept", methods=["POST"])
@blp.response(200, s.DisputeSchema)
def accept_offer(dispute_id):
    """Buyer: take the seller's partial refund; the dispute is settled with it."""
    user = require_user()
    with unit_of_work() as session:
        return evidence.accept_offer(session, user, dispute_id, gateway=gateway())
