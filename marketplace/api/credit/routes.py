"""Credit: own score and reasons, privileges and how to raise the band, records and explanations;
operators: anyone's score, overrides, scorecard versions, training and promotion."""
from __future__ import annotations

from flask import current_app

from marketplace.api.credit import schemas as s
from marketplace.api.credit.cli import report_root
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import PageArgs, page, page_of
from marketplace.uow import unit_of_work
from services import pagination
from services.credit import registry, service
from services.credit.events import CreditEvent
from services.credit.models import CreditOverride, CreditScore
from services.credit.privileges import load_policy
from services.credit.subjects import subject_for_user

blp = Blueprint("credit", __name__, description="Credit scores, reasons, privileges by band, overrides and scorecards")


def _policy():
    return load_policy(current_app.config.get("CREDIT_PRIVILEGES_FILE"))


def _privilege_view(session, subject_id):
    row, look = service.outlook_for(session, subject_id)
    policy = _policy()
    return {"subject_id": row.subject_id, "score": row.score, "band": row.band,
            "privileges": policy.for_band(row.band),
            "next_band": look.next_band,
            "next_band_privileges": policy.for_band(look.next_band) if look.next_band else None,
            "points_to_next_band": look.points_to_next_band, "reachable": look.reachable,
            "steps": list(look.steps)}


@blp.route("/credit/me", methods=["GET"])
@blp.response(200, s.CreditScoreSchema)
def my_score():
    """Your score on 350-950, its band and the (at most four) reasons that cost the most points."""
    user = require_user()
    with unit_of_work() as session:
        return service.score_for(session, subject_for_user(session, user).id)


@blp.route("/credit/me/privileges", methods=["GET"])
@blp.response(200, s.CreditPrivilegeViewSchema)
def my_privileges():
    """The privileges your band gives, those of the next band, and what would get you there."""
    user = require_user()
    with unit_of_work() as session:
        return _privilege_view(session, subject_for_user(session, user).id)


@blp.route("/credit/me/records", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(s.CreditRecordSchema))
def my_records(args):
    """Your credit records, newest first, with whether each still counts and your explanation."""
    user = require_user()
    subject = subject_for_user(db.session, user)
    rows, nxt = pagination.page(db.session, service.records_query(subject), CreditEvent,
                                args["cursor"], args["limit"], order_col="occurred_at")
    return page(service.describe_records(db.session, rows), nxt)


@blp.route("/credit/records/<uuid:event_id>/explanation", methods=["PUT"])
@blp.arguments(s.CreditExplanationSchema)
@blp.response(200, s.CreditRecordSchema)
def explain_record(data, event_id):
    """Attach or replace your explanation of one of your records (it is shown, it does not change the score)."""
    user = require_user()
    with unit_of_work() as session:
        return service.explain(session, user, event_id, data["text"])


@blp.route("/credit/subjects/<uuid:subject_id>", methods=["GET"])
@blp.response(200, s.CreditScoreSchema)
def subject_score(subject_id):
    """A participant's current score (a user id or an organisation id): yours, or anyone's for operators."""
    user = require_user()
    with unit_of_work() as session:
        subject = service.visible_subject(session, user, subject_id)
        return service.score_for(session, subject.id)


@blp.route("/credit/subjects/<uuid:subject_id>/history", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(s.CreditScoreSchema))
def subject_history(args, subject_id):
    """Every score computed for the participant, newest first, with its scorecard version and reasons."""
    user = require_user()
    subject = service.visible_subject(db.session, user, subject_id)
    rows, nxt = pagination.page(db.session, service.history_query(subject.id), CreditScore,
                                args["cursor"], args["limit"], order_col="computed_at")
    return page(rows, nxt)


@blp.route("/credit/subjects/<uuid:subject_id>/privileges", methods=["GET"])
@blp.response(200, s.CreditPrivilegeViewSchema)
def subject_privileges(subject_id):
    """A participant's privileges and what would raise their band."""
    user = require_user()
    with unit_of_work() as session:
        subject = service.visible_subject(session, user, subject_id)
        return _privilege_view(session, subject.id)


@blp.route("/credit/subjects/<uuid:subject_id>/records", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(s.CreditRecordSchema))
def subject_records(args, subject_id):
    """A participant's credit records with their status and explanations."""
    user = require_user()
    subject = service.visible_subject(db.session, user, subject_id)
    rows, nxt = pagination.page(db.session, service.records_query(subject), CreditEvent,
                                args["cursor"], args["limit"], order_col="occurred_at")
    return page(service.describe_records(db.session, rows), nxt)


@blp.route("/credit/subjects/<uuid:subject_id>/recompute", methods=["POST"])
@blp.response(200, s.CreditScoreSchema)
def recompute(subject_id):
    """Recompute the score now (your own, or anyone's for operators)."""
    user = require_user()
    with unit_of_work() as session:
        subject = service.visible_subject(session, user, subject_id)
        return service.recompute(session, subject.id)


@blp.route("/credit/subjects/<uuid:subject_id>/overrides", methods=["POST"])
@idempotent
@blp.arguments(s.CreditOverrideCreateSchema)
@blp.response(201, s.CreditOverrideResultSchema)
def add_override(data, subject_id):
    """Operators: set a score or void a record, with a mandatory reason; audited, rescored at once."""
    operator = require_operator()
    with unit_of_work() as session:
        override, score = service.add_override(session, operator, subject_id, **data)
        return {"override": override, "score": score}


@blp.route("/credit/subjects/<uuid:subject_id>/overrides", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(s.CreditOverrideSchema))
def list_overrides(args, subject_id):
    """Operators: the participant's overrides, newest first, revoked ones included."""
    operator = require_operator()
    subject = service.visible_subject(db.session, operator, subject_id)
    rows, nxt = pagination.page(db.session, service.overrides_query(subject.id), CreditOverride,
                                args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/credit/overrides/<uuid:override_id>/revoke", methods=["POST"])
@blp.arguments(s.CreditReasonArgsSchema)
@blp.response(200, s.CreditOverrideResultSchema)
def revoke_override(data, override_id):
    """Operators: end an override early, with a reason; audited, rescored at once."""
    operator = require_operator()
    with unit_of_work() as session:
        override, score = service.revoke_override(session, operator, override_id, data["reason"])
        return {"override": override, "score": score}


@blp.route("/credit/scorecards", methods=["GET"])
@blp.response(200, s.CreditScorecardSummarySchema(many=True))
def scorecards():
    """Operators: every scorecard version, newest first, with its held-out metrics and status."""
    require_operator()
    with unit_of_work() as session:
        return registry.versions(session)


@blp.route("/credit/scorecards", methods=["POST"])
@idempotent
@blp.arguments(s.CreditTrainArgsSchema)
@blp.response(201, s.CreditScorecardSummarySchema)
def train(data):
    """Operators: fit a candidate scorecard on recorded outcomes; it scores nobody until promoted."""
    operator = require_operator()
    # Lazy: training pulls in the numerical stack; only this operator action needs it.
    from services.credit import train_service
    with unit_of_work() as session:
        row = train_service.train_on_outcomes(
            session, operator.id, version=data["version"], snapshots=data["snapshots"], seed=data["seed"],
            report_root=report_root())
    return row, 201, {"Location": f"/api/v1/credit/scorecards/{row.version}"}


@blp.route("/credit/scorecards/<string:version>", methods=["GET"])
@blp.response(200, s.CreditScorecardSchema)
def scorecard(version):
    """Operators: one scorecard version with its full document (bins, points, reasons)."""
    require_operator()
    with unit_of_work() as session:
        registry.ensure_default(session)
        return registry.get(session, version)


@blp.route("/credit/scorecards/<string:version>/promote", methods=["POST"])
@blp.arguments(s.CreditReasonArgsSchema)
@blp.response(200, s.CreditScorecardSummarySchema)
def promote(data, version):
    """Operators: make a version the active scorecard (audited); scores move to it as they are recomputed."""
    operator = require_operator()
    with unit_of_work() as session:
        return registry.promote(session, operator.id, version, data["reason"])
