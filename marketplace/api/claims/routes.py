"""Reimbursement claims: a retailer's redeemed subsidies per programme and period with their
evidence (CSV or JSON), moving draft -> submitted -> approved | rejected, approved -> paid."""
from __future__ import annotations

from flask import Response, jsonify

from marketplace.api.claims import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import pagination
from services.accounts.models import Role
from services.subsidies import claim_files, claims
from services.subsidies.models import Claim

blp = Blueprint("claims", __name__, description="Retailers' subsidy reimbursement claims")


@blp.route("/claims", methods=["POST"])
@idempotent
@blp.arguments(s.ClaimCreateSchema)
@blp.response(201, s.ClaimSchema)
def create_claim(data):
    """Draft a claim of your redeemed, unclaimed subsidies of one programme and period."""
    user = require_user(Role.RETAILER)
    with unit_of_work() as session:
        claim = claims.create_claim(session, user, data)
    return claim, 201, {"Location": f"/api/v1/claims/{claim.id}"}


@blp.route("/claims", methods=["GET"])
@blp.arguments(s.ClaimListArgs, location="query")
@blp.response(200, page_of(s.ClaimSchema))
def list_claims(args):
    """Your organisations' claims (every claim for operators), newest first."""
    user = require_user()
    rows, nxt = pagination.page(db.session, claims.list_claims(user), Claim, args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/claims/evidence", methods=["GET"])
@blp.arguments(s.ClaimEvidenceArgs, location="query")
@blp.response(200, s.ClaimExportSchema, description="JSON, or a CSV / .xlsx file with format=csv|xlsx")
def evidence(args):
    """Export your redeemed subsidies of a programme and period with their evidence."""
    user = require_user(Role.RETAILER)
    rows = claims.evidence_rows(db.session, user, args["programme"], args["period_start"],
                                args["period_end"], args["org_id"])
    return _export(None, rows, args, f"{args['programme']}_{args['period_start']}_{args['period_end']}")


@blp.route("/claims/<uuid:claim_id>", methods=["GET"])
@blp.response(200, s.ClaimSchema)
def get_claim(claim_id):
    """One claim."""
    return claims.get_claim(db.session, require_user(), claim_id)


@blp.route("/claims/<uuid:claim_id>/transitions", methods=["POST"])
@blp.arguments(s.ClaimTransitionSchema)
@blp.response(200, s.ClaimSchema)
def transition(data, claim_id):
    """submit (the retailer); approve, reject with a reason, pay (operators). A transition the
    claim's state does not allow is a 409 naming the allowed ones."""
    user = require_user()
    with unit_of_work() as session:
        return claims.transition(session, user, claim_id, data["action"], data["reason"])


@blp.route("/claims/<uuid:claim_id>/export", methods=["GET"])
@blp.arguments(s.ClaimExportArgs, location="query")
@blp.response(200, s.ClaimExportSchema, description="JSON, or a CSV / .xlsx file with format=csv|xlsx")
def export(args, claim_id):
    """The claim's subsidies with their evidence: identifiers masked, never raw."""
    user = require_user()
    claim = claims.get_claim(db.session, user, claim_id)
    return _export(claim, claims.claim_rows(db.session, user, claim_id), args, f"claim_{claim.id}")


@blp.route("/claims/<uuid:claim_id>/audit", methods=["GET"])
@blp.response(200, s.ClaimAuditSchema(many=True))
def audit_trail(claim_id):
    """Who moved the claim when, oldest first."""
    return claims.trail(db.session, require_user(), claim_id)


_FILES = {"csv": (claim_files.to_csv, "text/csv; charset=utf-8"),
          "xlsx": (claim_files.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def _export(claim, rows, args, name):
    fmt = args["format"]
    if fmt in _FILES:
        render, mimetype = _FILES[fmt]
        return Response(render(rows, claims.COLUMNS, args["header"]), mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
    return jsonify({"claim": s.ClaimSchema().dump(claim) if claim else None, "items": rows})
