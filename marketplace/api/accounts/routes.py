"""Accounts: registration, login, tokens, real-name verification, organisations, audit log."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.api.accounts import schemas as s
from marketplace.extensions import db
from marketplace.auth import bearer_token, public, require_operator, require_user
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import audit, pagination
from services.accounts import phones, recovery, service, signup
from services.accounts.models import IdStatus, Role, User
from services.flows import identity
from services.audit import AuditEntry

blp = Blueprint("accounts", __name__, description="Accounts, roles, organisations and real-name verification")


@blp.route("/accounts/register", methods=["POST"])
@public
@idempotent
@blp.arguments(s.RegisterSchema)
@blp.response(202, s.RegistrationSchema)
def register(data):
    """Register a consumer, retailer or recycler (the last two with their organisation). Always
    202 "check your email", whether or not the address has an account: a new address gets a
    confirmation code by email (`POST /accounts/confirm-email` activates the account; until then
    login answers 403 `email_unconfirmed`); the owner of a registered address is told that
    someone tried."""
    with unit_of_work() as session:
        done = signup.sign_up(session, role=Role(data.pop("role")), **data)
    return {"status": "confirmation_sent", "email": done.email,
            "detail": "Check your email: we sent the next step to this address."}, 202


@blp.route("/accounts/confirm-email", methods=["POST"])
@public
@blp.arguments(s.ConfirmEmailSchema)
@blp.response(200, s.UserSchema)
def confirm_email(data):
    """Activate an account with the code from its confirmation email (single use, expires after
    EMAIL_CONFIRMATION_HOURS): 422 `token_invalid` / `token_expired` on `token`, 409
    `email_already_confirmed` once used."""
    with unit_of_work() as session:
        return signup.confirm(session, data["token"])


@blp.route("/accounts/password-reset", methods=["POST"])
@public
@blp.arguments(s.PasswordResetRequestSchema)
@blp.response(202, s.PasswordResetRequestedSchema)
def request_password_reset(data):
    """Forgotten password: always 202 with the same answer, whether or not the address has an
    account. A confirmed account is emailed a reset code (single use, expires after
    PASSWORD_RESET_MINUTES; `POST /accounts/password-reset/confirm` uses it); an unconfirmed one
    a fresh confirmation code instead. Limited per client (RATE_LIMIT_AUTH) and per address
    (RATE_LIMIT_PASSWORD_RESET)."""
    with unit_of_work() as session:
        recovery.request_reset(session, data["email"])
    return {"status": "reset_requested",
            "detail": "If an account has this address, we emailed it the next step."}, 202


@blp.route("/accounts/password-reset/confirm", methods=["POST"])
@public
@blp.arguments(s.PasswordResetSchema)
@blp.response(200, s.PasswordResetDoneSchema)
def reset_password(data):
    """Set a new password with the code from a password reset email. Every login of the account
    is signed out and its owner is told. 422 `token_invalid` (not ours, or spent: used, or the
    password changed since) / `token_expired` on `token`; 422 on `new_password` for a password
    the registration rules refuse."""
    with unit_of_work() as session:
        user = recovery.reset_password(session, data["token"], data["new_password"])
        email = user.email
    return {"status": "password_changed", "email": email,
            "detail": "Your password is changed and every login was signed out: log in with the new one."}


@blp.route("/accounts/login", methods=["POST"])
@public
@blp.arguments(s.LoginSchema)
@blp.response(200, s.TokenSchema)
def login(data):
    """Exchange email and password for an access token (15 minutes) and a refresh token."""
    with unit_of_work() as session:
        return service.login(session, data["email"], data["password"]).__dict__


@blp.route("/accounts/refresh", methods=["POST"])
@public
@blp.arguments(s.RefreshSchema)
@blp.response(200, s.TokenSchema)
def refresh(data):
    """Rotate a refresh token; reusing a spent one revokes the whole login."""
    try:
        with unit_of_work() as session:
            return service.refresh(session, data["refresh_token"]).__dict__
    except service.TokenReused as e:
        with unit_of_work() as session:
            service.revoke_login(session, e.session_id)
        raise


@blp.route("/accounts/logout", methods=["POST"])
@blp.response(204)
def logout():
    """Revoke the current login (its access and refresh tokens)."""
    require_user()
    with unit_of_work() as session:
        service.logout(session, bearer_token())


@blp.route("/accounts/me", methods=["GET"])
@blp.response(200, s.UserSchema)
def me():
    """The caller's own account."""
    return require_user()


@blp.route("/accounts/me/password", methods=["POST"])
@blp.arguments(s.PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change the password; every token of the account is revoked."""
    user = require_user()
    with unit_of_work() as session:
        service.change_password(session, session.merge(user), data["current_password"], data["new_password"])


@blp.route("/accounts/me/phone", methods=["PUT"])
@blp.arguments(s.PhoneSchema)
@blp.response(200, s.UserSchema)
def set_phone(data):
    """Record your mobile number for text messages (or `null` to remove it); 422 unless it is a
    mainland mobile number. Shown back only masked (`phone_masked`: 138****5678)."""
    user = require_user()
    with unit_of_work() as session:
        return phones.set_phone(session, session.merge(user), data["phone"])


@blp.route("/accounts/me/identity", methods=["POST"])
@blp.arguments(s.IdentitySubmitSchema)
@blp.response(200, s.UserSchema)
def submit_identity(data):
    """Submit a resident ID number for real-name verification (kept only as keyed hash + last four)."""
    user = require_user()
    with unit_of_work() as session:
        return service.submit_identity(session, session.merge(user), data["id_number"])


@blp.route("/accounts/identity-reviews", methods=["GET"])
@blp.arguments(s.IdentityQueueArgs, location="query")
@blp.response(200, page_of(s.UserSchema))
def identity_queue(args):
    """Operators: accounts by verification status (default: pending)."""
    require_operator()
    stmt = select(User).where(User.id_status == IdStatus(args["status"]))
    rows, nxt = pagination.page(db.session, stmt, User, args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/accounts/<uuid:user_id>/identity-review", methods=["POST"])
@blp.arguments(s.IdentityReviewSchema)
@blp.response(200, s.UserSchema)
def review_identity(data, user_id):
    """Operators: verify or reject a pending real-name submission (audited)."""
    op = require_operator()
    with unit_of_work() as session:
        return identity.review_identity(session, op, user_id, IdStatus(data["decision"]), data["reason"])


@blp.route("/accounts/<uuid:user_id>", methods=["GET"])
@public
@blp.response(200, s.PublicUserSchema)
def get_user(user_id):
    """Public profile of a participant."""
    return service.get_user(db.session, user_id)


@blp.route("/accounts/operators", methods=["POST"])
@idempotent
@blp.arguments(s.OperatorCreateSchema)
@blp.response(201, s.UserSchema)
def create_operator(data):
    """Operators: create another operator (audited)."""
    op = require_operator()
    with unit_of_work() as session:
        user = service.create_operator(session, **data)
        audit.record(session, op.id, "operator.create", "user", user.id, after={"email": user.email})
        return user


@blp.route("/audit-log", methods=["GET"])
@blp.arguments(s.AuditArgs, location="query")
@blp.response(200, page_of(s.AuditEntrySchema))
def audit_log(args):
    """Operators: the audit trail, newest first, optionally for one target."""
    require_operator()
    stmt = select(AuditEntry)
    if args["target_type"]:
        stmt = stmt.where(AuditEntry.target_type == args["target_type"])
    if args["target_id"]:
        stmt = stmt.where(AuditEntry.target_id == args["target_id"])
    rows, nxt = pagination.page(db.session, stmt, AuditEntry, args["cursor"], args["limit"], order_col="at")
    return page(rows, nxt)
