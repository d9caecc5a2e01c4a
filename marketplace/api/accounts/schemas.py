from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from services.identifiers import mask_phone

ROLES_SELF = ("consumer", "retailer", "recycler")
# The rule of every new password: registration, a change, a reset, a new operator.
PASSWORD_RULE = validate.Length(min=10, max=200)


class RegisterSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)
    display_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES_SELF))
    org_name = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=120))


class RegistrationSchema(ma.Schema):
    """The answer to every registration, whether or not the address has an account."""
    status = ma.fields.String(required=True, metadata={"description": "Always `confirmation_sent`."})
    email = ma.fields.String(required=True, metadata={"description": "The address as registered (lower case)."})
    detail = ma.fields.String(required=True)


class ConfirmEmailSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "The code from the confirmation email."})


class PasswordResetRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254), metadata={
        "description": "The address of the account whose password was forgotten."})


class PasswordResetRequestedSchema(ma.Schema):
    """The answer to every reset request, whether or not the address has an account."""
    status = ma.fields.String(required=True, metadata={"description": "Always `reset_requested`."})
    detail = ma.fields.String(required=True)


class PasswordResetSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "The code from the password reset email."})
    new_password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE, metadata={
        "description": "10 to 200 characters, as at registration."})


class PasswordResetDoneSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "Always `password_changed`."})
    email = ma.fields.String(required=True, metadata={"description": "The account's address."})
    detail = ma.fields.String(required=True)


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class RefreshSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=validate.Length(max=200))


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(dump_default="Bearer")
    expires_in = ma.fields.Integer(required=True)


class PasswordChangeSchema(ma.Schema):
    current_password = ma.fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    new_password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)


class PhoneSchema(ma.Schema):
    phone = ma.fields.String(required=True, allow_none=True, load_only=True, validate=validate.Length(min=1, max=20),
                             metadata={"description": "A mainland mobile number (e.g. 13812345678, +86 allowed); "
                                                      "null removes it. Texts (SMS) go to it by your preferences."})


class IdentitySubmitSchema(ma.Schema):
    id_number = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=15, max=30))


class IdentityReviewSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(("verified", "rejected")))
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=300))


class MembershipSchema(ma.Schema):
    org_id = ma.fields.UUID(required=True)
    org_name = ma.fields.Function(lambda m: m.org.name)
    org_kind = ma.fields.Function(lambda m: m.org.kind.value)
    org_verification_status = ma.fields.Function(lambda m: m.org.verification_status.value)
    role = ma.fields.Function(lambda m: m.role.value)


class UserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.Function(lambda u: u.role.value)
    id_status = ma.fields.Function(lambda u: u.id_status.value)
    id_number_masked = ma.fields.Function(lambda u: ("**************" + u.id_last4) if u.id_last4 else None)
    id_reject_reason = ma.fields.String(allow_none=True)
    phone_masked = ma.fields.Function(lambda u: mask_phone(u.phone), allow_none=True, metadata={
        "description": "The mobile number texts go to, masked (138****5678); null when none. Never shown whole."})
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema))
    email_confirmed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class PublicUserSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.Function(lambda u: u.role.value)
    # Anyone may read this: whether someone's ID check is pending or was rejected is theirs (and
    # the operators') to know; the public sees verified or not, as on /users/{id}/profile.
    id_status = ma.fields.Function(lambda u: "verified" if u.id_status.value == "verified" else "unverified",
                                   metadata={"description": "verified, or unverified (pending and rejected "
                                                            "checks are shown only to the user)"})


class OperatorCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD_RULE)
    display_name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))


class IdentityQueueArgs(PageArgs):
    status = ma.fields.String(load_default="pending",
                              validate=validate.OneOf(("unverified", "pending", "verified", "rejected")))


class AuditEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    actor_id = ma.fields.UUID(allow_none=True)
    action = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.String()
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


class AuditArgs(ma.Schema):
    target_type = ma.fields.String(load_default=None, validate=validate.Length(max=40))
    target_id = ma.fields.String(load_default=None, validate=validate.Length(max=64))
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
