"""Organisations: vetting by operators, invitations that the invitee accepts, leaving and
removal, and the owner's settings."""
from __future__ import annotations

from marketplace.api.organizations import schemas as s
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import pagination
from services.accounts import membership, service, vetting
from services.accounts.models import MemberRole, Organization, OrgStatus

blp = Blueprint("organizations", __name__, description="Organisations: vetting, members and invitations")


@blp.route("/organizations/<uuid:org_id>", methods=["GET"])
@blp.response(200, s.OrganizationSchema)
def get_org(org_id):
    """An organisation the caller belongs to (operators: any), with its vetting status."""
    return service.get_org(db.session, require_user(), org_id)


@blp.route("/organizations/<uuid:org_id>", methods=["PATCH"])
@blp.arguments(s.OrgSettingsSchema)
@blp.response(200, s.OrganizationSchema)
def update_org(data, org_id):
    """Owners: rename the organisation (staff: 403 `owner_required`)."""
    user = require_user()
    with unit_of_work() as session:
        return membership.update_settings(session, session.merge(user), org_id, data)


@blp.route("/organizations/<uuid:org_id>/verification", methods=["POST"])
@blp.arguments(s.VerificationSubmitSchema)
@blp.response(200, s.OrganizationSchema)
def submit_verification(data, org_id):
    """Owners: submit the unified social credit code (and, for recyclers, the recycling
    registration number) for an operator to verify; the organisation is `pending` meanwhile."""
    user = require_user()
    with unit_of_work() as session:
        return vetting.submit(session, session.merge(user), org_id, uscc=data["uscc"],
                              recycling_reg_no=data["recycling_reg_no"])


@blp.route("/organizations/verification-reviews", methods=["GET"])
@blp.arguments(s.VerificationQueueArgs, location="query")
@blp.response(200, page_of(s.OrganizationSchema))
def verification_queue(args):
    """Operators: organisations by vetting status (default: pending)."""
    require_operator()
    rows, nxt = pagination.page(db.session, vetting.queue(OrgStatus(args["status"])), Organization,
                                args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/organizations/<uuid:org_id>/verification-review", methods=["POST"])
@blp.arguments(s.VerificationReviewSchema)
@blp.response(200, s.OrganizationSchema)
def review_verification(data, org_id):
    """Operators: verify or reject (with a reason) a pending organisation, or withdraw a
    verification (reject); audited."""
    op = require_operator()
    with unit_of_work() as session:
        return vetting.review(session, op, org_id, OrgStatus(data["decision"]), data["reason"])


@blp.route("/organizations/<uuid:org_id>/invitations", methods=["POST"])
@idempotent
@blp.arguments(s.InviteSchema)
@blp.response(201, s.InvitationSchema)
def invite(data, org_id):
    """Owners: invite an existing user of the organisation's kind; they join only by accepting."""
    user = require_user()
    with unit_of_work() as session:
        return membership.invite(session, session.merge(user), org_id, data["email"], MemberRole(data["role"]))


@blp.route("/organizations/invitations", methods=["GET"])
@blp.response(200, s.InvitationSchema(many=True))
def my_invitations():
    """Your open invitations."""
    return membership.pending_for(db.session, require_user())


@blp.route("/organizations/invitations/<uuid:invitation_id>/accept", methods=["POST"])
@blp.response(200, s.InvitationSchema)
def accept(invitation_id):
    """Accept an invitation: you become a member with the offered role."""
    user = require_user()
    with unit_of_work() as session:
        return membership.respond(session, session.merge(user), invitation_id, True)


@blp.route("/organizations/invitations/<uuid:invitation_id>/decline", methods=["POST"])
@blp.response(200, s.InvitationSchema)
def decline(invitation_id):
    """Decline an invitation."""
    user = require_user()
    with unit_of_work() as session:
        return membership.respond(session, session.merge(user), invitation_id, False)


@blp.route("/organizations/<uuid:org_id>/leave", methods=["POST"])
@blp.response(204)
def leave(org_id):
    """Leave an organisation (its last owner cannot: 409 `last_owner`)."""
    user = require_user()
    with unit_of_work() as session:
        membership.leave(session, session.merge(user), org_id)


@blp.route("/organizations/<uuid:org_id>/members/<uuid:user_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(org_id, user_id):
    """Owners: remove a staff member."""
    user = require_user()
    with unit_of_work() as session:
        membership.remove(session, session.merge(user), org_id, user_id)
