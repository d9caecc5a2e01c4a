from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.pagination import PageArgs

STATUSES = ("unverified", "pending", "verified", "rejected")


class OrgMemberSchema(ma.Schema):
    user_id = ma.fields.UUID()
    display_name = ma.fields.Function(lambda m: m.user.display_name)
    role = ma.fields.Function(lambda m: m.role.value)


class OrganizationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.Function(lambda o: o.kind.value)
    name = ma.fields.String()
    licence_no = ma.fields.String(allow_none=True)
    verification_status = ma.fields.Function(
        lambda o: o.verification_status.value,
        metadata={"description": "unverified | pending | verified | rejected: only a verified organisation "
                                 "certifies wipes, takes pickups, issues recycling vouchers (recyclers), runs "
                                 "campaigns, sells with subsidies and files claims (retailers)."})
    uscc = ma.fields.String(allow_none=True, metadata={"description": "Unified social credit code (GB 32100)."})
    recycling_reg_no = ma.fields.String(allow_none=True)
    verification_reason = ma.fields.String(allow_none=True)
    verified_at = ma.fields.DateTime(allow_none=True)
    members = ma.fields.List(ma.fields.Nested(OrgMemberSchema))


class OrgSettingsSchema(ma.Schema):
    # licence_no is not self-service: services/credit/subjects.py counts it as an identity check.
    name = ma.fields.String(validate=validate.Length(min=1, max=120))


class VerificationSubmitSchema(ma.Schema):
    uscc = ma.fields.String(required=True, validate=validate.Length(min=1, max=40),
                            metadata={"description": "18 characters with its GB 32100 check character."})
    recycling_reg_no = ma.fields.String(load_default=None, validate=validate.Length(max=64),
                                        metadata={"description": "Required for recyclers."})


class VerificationReviewSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(("verified", "rejected")))
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=300))


class VerificationQueueArgs(PageArgs):
    status = ma.fields.String(load_default="pending", validate=validate.OneOf(STATUSES))


class InviteSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    role = ma.fields.String(load_default="staff", validate=validate.OneOf(("owner", "staff")))


class InvitationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    org_id = ma.fields.UUID(required=True)
    org_name = ma.fields.Function(lambda i: i.org.name)
    org_kind = ma.fields.Function(lambda i: i.org.kind.value)
    user_id = ma.fields.UUID(required=True)
    role = ma.fields.Function(lambda i: i.role.value)
    status = ma.fields.Function(lambda i: i.status.value)
    created_at = ma.fields.DateTime()
    responded_at = ma.fields.DateTime(allow_none=True)
