"""Registration, login, tokens, organisations and real-name verification."""
from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services import audit, clock, deps, identifiers
from services.accounts.models import (AuthToken, IdStatus, Membership, MemberRole, Organization,
                                      OrgKind, Role, User)
from services.errors import Conflict, Forbidden, InvalidState, NotFound, Unauthorized, ValidationFailed
from services.notifications.interface import notify

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=30)
SELF_SERVICE_ROLES = {Role.CONSUMER, Role.RETAILER, Role.RECYCLER}

ID_TRANSITIONS = {
    IdStatus.UNVERIFIED: {IdStatus.PENDING},
    IdStatus.PENDING: {IdStatus.VERIFIED, IdStatus.REJECTED},
    IdStatus.REJECTED: {IdStatus.PENDING},
    IdStatus.VERIFIED: set(),
}


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _passwords(session: Session) -> PasswordHasher:
    # The app's argon2 parameters (PASSWORD_* settings); tests hand cheaper ones to their apps.
    return deps.of(session).passwords


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_registration(role: Role, org_name: str | None) -> None:
    """The rules of a self-service registration that depend on the input alone: 403 for a role
    nobody may give themselves, 422 for a retailer or recycler without an organisation name."""
    if role not in SELF_SERVICE_ROLES:
        raise Forbidden("operators are created by other operators", code="role_not_allowed")
    if role in (Role.RETAILER, Role.RECYCLER) and not org_name:
        raise ValidationFailed("organisation name required", fields={"org_name": ["Required for retailers and recyclers."]})


def normal_email(email: str) -> str:
    return email.strip().lower()


def hash_password(session: Session, password: str) -> str:
    return _passwords(session).hash(password)


def create_user(session: Session, *, email: str, password_hash: str, display_name: str, role: Role,
                org_name: str | None = None, confirmed_at=None) -> User:
    """Insert a user (IntegrityError when the address is taken); retailers and recyclers also get
    an organisation they own."""
    user = User(email=email, password_hash=password_hash, role=role, display_name=display_name,
                email_confirmed_at=confirmed_at)
    session.add(user)
    session.flush()
    if org_name and role in (Role.RETAILER, Role.RECYCLER):
        org = Organization(kind=OrgKind(role.value), name=org_name)
        session.add(org)
        session.flush()
        session.add(Membership(org_id=org.id, user_id=user.id, role=MemberRole.OWNER))
        session.flush()
        session.refresh(user)
    return user


def register(session: Session, *, email: str, password: str, display_name: str, role: Role,
             org_name: str | None = None, confirmed: bool = False) -> User:
    """Create a user directly (the demo seed, tests, tools): 409 `email_taken` for a known address.
    `confirmed` marks the address confirmed now. The public registration is
    services.accounts.signup.sign_up, which never tells whether an address has an account."""
    check_registration(role, org_name)
    email = normal_email(email)
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("an account with this email exists", code="email_taken")
    return create_user(session, email=email, password_hash=hash_password(session, password),
                       display_name=display_name, role=role, org_name=org_name,
                       confirmed_at=clock.now(session) if confirmed else None)


def create_operator(session: Session, *, email: str, password: str, display_name: str) -> User:
    user = User(email=email.strip().lower(), password_hash=_passwords(session).hash(password), role=Role.OPERATOR,
                display_name=display_name, email_confirmed_at=clock.now(session))
    session.add(user)
    session.flush()
    return user


def _issue(session: Session, user: User, session_id: uuid.UUID) -> TokenPair:
    now = clock.now(session)
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add_all([
        AuthToken(user_id=user.id, session_id=session_id, kind="access", token_hash=_sha(access),
                  created_at=now, expires_at=now + ACCESS_TTL),
        AuthToken(user_id=user.id, session_id=session_id, kind="refresh", token_hash=_sha(refresh),
                  created_at=now, expires_at=now + REFRESH_TTL),
    ])
    session.flush()
    return TokenPair(access, refresh, int(ACCESS_TTL.total_seconds()))


@functools.lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len).hash(secrets.token_hex(16))


def _verify_nobody(h: PasswordHasher, password: str) -> None:
    """Spend what checking a real password costs, so that the time of a failed login does not
    tell whether the email is registered."""
    try:
        h.verify(_dummy_hash(h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len), password)
    except VerificationError:
        pass


def login(session: Session, email: str, password: str) -> TokenPair:
    """Tokens for valid credentials; the same error, in the same time, for an unknown email, an
    inactive account and a wrong password (a password hash is checked in every case). Right
    credentials of an account whose address is not confirmed yet: 403 `email_unconfirmed`."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    hasher = _passwords(session)
    try:
        if user is None or not user.is_active:
            _verify_nobody(hasher, password)
            raise VerificationError
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong email or password", code="bad_credentials") from None
    if user.email_confirmed_at is None:
        # Said only to whoever knows the password: it reveals nothing about other addresses.
        raise Forbidden("confirm your email address first: follow the link we sent you", code="email_unconfirmed")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return _issue(session, user, uuid.uuid4())


def _live_token(session: Session, token: str, kind: str) -> AuthToken | None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _sha(token), AuthToken.kind == kind))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now(session):
        return None
    return row


def authenticate(session: Session, access_token: str) -> User | None:
    """The user behind a live access token, or None."""
    row = _live_token(session, access_token, "access")
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user and user.is_active else None


def refresh(session: Session, refresh_token: str) -> TokenPair:
    """Rotate: the old refresh token is spent, a reuse revokes the whole login."""
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == _sha(refresh_token),
                                                 AuthToken.kind == "refresh"))
    if row is None:
        raise Unauthorized("invalid refresh token", code="invalid_token")
    if row.revoked_at is not None:
        raise TokenReused(row.session_id)
    if row.expires_at <= clock.now(session):
        raise Unauthorized("refresh token expired", code="invalid_token")
    _revoke_session(session, row.session_id)
    user = session.get(User, row.user_id)
    return _issue(session, user, row.session_id)


class TokenReused(Unauthorized):
    """A spent refresh token came back: the caller must revoke the login (in its own transaction,
    since this error rolls the current one back)."""

    def __init__(self, session_id: uuid.UUID):
        super().__init__("refresh token already used or revoked", code="invalid_token")
        self.session_id = session_id


def revoke_login(session: Session, session_id: uuid.UUID) -> None:
    _revoke_session(session, session_id)


def _revoke_session(session: Session, session_id: uuid.UUID) -> None:
    session.execute(update(AuthToken).where(AuthToken.session_id == session_id, AuthToken.revoked_at.is_(None))
                    .values(revoked_at=clock.now(session)))


def logout(session: Session, access_token: str) -> None:
    row = _live_token(session, access_token, "access")
    if row is not None:
        _revoke_session(session, row.session_id)


def change_password(session: Session, user: User, old: str, new: str) -> None:
    """Changes the password and revokes every token of the user."""
    hasher = _passwords(session)
    try:
        hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise Forbidden("current password is wrong", code="bad_credentials") from None
    set_password(session, user, hasher.hash(new))


def set_password(session: Session, user: User, password_hash: str) -> None:
    """Give `user` a new password (hashed by the caller with `hash_password`). Promises:
    every access and refresh token of the user is revoked (every login ends), every emailed code
    issued before is spent (codes are bound to the password hash), and the owner gets a
    `password_changed` notice (so a change they did not make does not go unseen)."""
    now = clock.now(session)
    user.password_hash = password_hash
    user.password_changed_at = now
    session.execute(update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    notify(session, user.id, "password_changed", event_key=f"password:{password_hash[-16:]}",
           params={"at": clock.local_text(now)}, ref_type="user", ref_id=user.id)
    session.flush()


def get_user(session: Session, user_id) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def submit_identity(session: Session, user: User, id_number: str) -> User:
    """Store the ID number as keyed hash + last four and move the user to pending review."""
    if not identifiers.resident_id_ok(id_number):
        raise ValidationFailed("invalid resident ID number",
                               fields={"id_number": ["Not a valid 18-character resident ID (checksum or date)."]})
    if user.id_status not in (IdStatus.UNVERIFIED, IdStatus.REJECTED):
        raise InvalidState(user.id_status.value, IdStatus.PENDING.value,
                           [s.value for s in ID_TRANSITIONS[user.id_status]])
    h = identifiers.hmac_hash(session, id_number, purpose="resident_id")
    taken = session.scalar(select(func.count()).select_from(User).where(
        User.id_hash == h, User.id != user.id, User.id_status == IdStatus.VERIFIED))
    if taken:
        raise Conflict("this ID number is verified on another account", code="identity_in_use")
    user.id_hash, user.id_last4 = h, identifiers.last4(id_number)
    user.id_status, user.id_reject_reason = IdStatus.PENDING, None
    return user


def review_identity(session: Session, operator: User, user_id, decision: IdStatus,
                    reason: str | None = None) -> User:
    """Operator decision on a pending verification; audited. Records no credit event: the flow
    that also counts a verification for credit is services.flows.identity.review_identity."""
    user = get_user(session, user_id)
    if decision not in ID_TRANSITIONS[user.id_status] or decision == IdStatus.PENDING:
        raise InvalidState(user.id_status.value, decision.value,
                           [s.value for s in ID_TRANSITIONS[user.id_status] if s != IdStatus.PENDING])
    if decision == IdStatus.REJECTED and not reason:
        raise ValidationFailed("a rejection needs a reason", fields={"reason": ["Required when rejecting."]})
    before = {"id_status": user.id_status.value}
    user.id_status = decision
    user.id_reject_reason = reason if decision == IdStatus.REJECTED else None
    audit.record(session, operator.id, f"identity.{decision.value}", "user", user.id,
                 before=before, after={"id_status": decision.value}, reason=reason)
    return user


def get_org(session: Session, actor: User, org_id) -> Organization:
    org = session.get(Organization, org_id)
    if org is None or (not actor.is_operator and org.id not in actor.org_ids()):
        raise NotFound("no such organisation")
    return org
