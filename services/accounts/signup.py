"""Registration that tells nobody which addresses have accounts, and the email confirmation that
activates an account.

`sign_up` answers the same for every address (the edge says 202 "check your email") and does the
same costly work (one argon2 hash) either way: a new address gets an unconfirmed account and a
confirmation link; an address that has a confirmed account gets a notice that someone tried to
register with it; an address whose account is still unconfirmed gets a fresh link (the latest
registration's password counts, and the earlier links stop working). Both notices go through the
feed's outbox (`notify`: email after commit; in development the log mailer writes them out).

The confirmation token is signed (HMAC-SHA256 under SECRET_KEY), expires after
EMAIL_CONFIRMATION_HOURS and is single use: it is bound to the account's address and password
hash, and confirming sets `email_confirmed_at`, after which the token is spent. Nothing about it is
stored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, deps
from services.accounts import codes, service
from services.accounts.models import Role, User
from services.errors import Conflict, ValidationFailed
from services.notifications.interface import notify

PURPOSE = b"huanxin-email-confirmation-v1"


@dataclass(frozen=True)
class SignUp:
    """What a registration answers, whoever owns the address: only what the caller sent."""
    email: str


def sign_up(session: Session, *, email: str, password: str, display_name: str, role: Role,
            org_name: str | None = None) -> SignUp:
    """Register an address without revealing whether it has an account. Promises: the same answer
    and one password hash for every address; a new address gets an unconfirmed account (and its
    organisation) and a `confirm_email` notice with a signed link; an unconfirmed account gets a
    fresh link with the new password; a confirmed account gets a `registration_attempt` notice and
    is not changed. Input rules (role, org_name) are checked first and depend on the input only."""
    service.check_registration(role, org_name)
    email = service.normal_email(email)
    password_hash = service.hash_password(session, password)   # the same work for every address
    user = session.scalar(select(User).where(User.email == email).with_for_update())
    if user is None:
        try:
            with session.begin_nested():
                user = service.create_user(session, email=email, password_hash=password_hash,
                                           display_name=display_name, role=role, org_name=org_name)
        except IntegrityError:   # a concurrent registration of the same address committed first
            user = session.scalar(select(User).where(User.email == email).with_for_update())
        else:
            send_confirmation(session, user)
            return SignUp(email)
    if user.email_confirmed_at is None:
        user.password_hash = password_hash
        session.flush()
        send_confirmation(session, user)
    else:
        now = clock.now(session)
        notify(session, user.id, "registration_attempt", event_key=f"register:{now.isoformat()}",
               params={"email": email, "at": clock.local_text(now)}, ref_type="user", ref_id=user.id)
    return SignUp(email)


def confirm(session: Session, token: str) -> User:
    """Activate the account a confirmation token was issued for. Promises: a token not signed by
    this app, or for another address or password than the account has now, is a 422 on `token`
    (`token_invalid`); an expired one a 422 `token_expired`; a token already used (the account is
    confirmed) a 409 `email_already_confirmed`. Audited."""
    user_id, expires = codes.parse(token)
    user = session.scalar(select(User).where(User.id == user_id).with_for_update()) if user_id else None
    if not codes.matches(session, token, user, expires, PURPOSE):
        raise ValidationFailed("this confirmation link is not valid", code="token_invalid",
                               fields={"token": ["Not a confirmation token of this site, or replaced by a newer one."]})
    if user.email_confirmed_at is not None:
        raise Conflict("this address is already confirmed: log in", code="email_already_confirmed")
    now = clock.now(session)
    if now > expires:
        raise ValidationFailed("this confirmation link has expired", code="token_expired",
                               fields={"token": ["Expired: register again to get a new link."]})
    user.email_confirmed_at = now
    audit.record(session, user.id, "account.email_confirmed", "user", user.id, after={"email": user.email})
    session.flush()
    return user


def confirm_by_support(session: Session, email: str) -> User:
    """Confirm an address without its emailed code (`flask confirm-email`: support staff once the
    owner proved the address another way; a developer on `make run` without a mailbox). Promises:
    an address without an account is a 422 on `email`; a confirmed one a 409
    `email_already_confirmed`; otherwise `email_confirmed_at` is set and the step audited as done
    by support."""
    user = session.scalar(select(User).where(User.email == service.normal_email(email)).with_for_update())
    if user is None:
        raise ValidationFailed("no account has this address", fields={"email": ["No account has this address."]})
    if user.email_confirmed_at is not None:
        raise Conflict("this address is already confirmed", code="email_already_confirmed")
    user.email_confirmed_at = clock.now(session)
    audit.record(session, None, "account.email_confirmed_by_support", "user", user.id, after={"email": user.email})
    session.flush()
    return user


def send_confirmation(session: Session, user: User) -> None:
    """Send `user` a `confirm_email` notice with a fresh code (valid EMAIL_CONFIRMATION_HOURS; it
    and every earlier code are spent once the address is confirmed or the password changes)."""
    settings = deps.of(session).settings
    expires = clock.now(session).replace(microsecond=0) + timedelta(hours=settings.email_confirmation_hours)
    token = codes.sign(session, user, expires, PURPOSE)
    notify(session, user.id, "confirm_email", event_key=f"confirm:{token[-16:]}",
           params={"token": token, "expires": clock.local_text(expires),
                   "link": f"{deps.of(session).buying.public_base_url}/api/v1/accounts/confirm-email"},
           ref_type="user", ref_id=user.id)
