"""Signing keys in the registry: the public half of every key that signed, and its status.

Private keys come from the environment (Keyring.from_env); this table is what verification
trusts, so a key revoked here makes its certificates show as revoked even on a process that
still holds the private key.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.models import User
from services.errors import Forbidden, NotFound, ServiceUnavailable, ValidationFailed

from . import summary
from .models import SigningKeyRow
from .signing import KeyEntry, Keyring, KeyStatus


def ensure_signing_key(session: Session, ring: Keyring) -> KeyEntry:
    """The key to sign with now, published in the table first; refuses a revoked key."""
    entry = ring.active
    if entry is None:
        raise ServiceUnavailable("no active certificate signing key", code="signing_unavailable")
    row = session.scalar(select(SigningKeyRow).where(SigningKeyRow.kid == entry.kid))
    if row is not None and row.public_key != entry.public_b64:
        raise ServiceUnavailable(f"key id {entry.kid} already names another key",
                                 code="signing_unavailable")
    if row is not None and row.status is KeyStatus.REVOKED:
        raise ServiceUnavailable(f"signing key {entry.kid} is revoked: rotate CERT_SIGNING_KEYS",
                                 code="signing_key_revoked")
    if row is None or row.status is not KeyStatus.ACTIVE:
        session.execute(update(SigningKeyRow).where(SigningKeyRow.status == KeyStatus.ACTIVE,
                                                    SigningKeyRow.kid != entry.kid)
                        .values(status=KeyStatus.RETIRED))
        if row is None:
            session.add(SigningKeyRow(kid=entry.kid, public_key=entry.public_b64,
                                      status=KeyStatus.ACTIVE))
        else:
            row.status = KeyStatus.ACTIVE
        session.flush()
    return entry


def verifier_for(session: Session, kid: str) -> Keyring:
    """A verify-only keyring holding the named key as the registry knows it (maybe empty)."""
    ring = Keyring()
    row = session.scalar(select(SigningKeyRow).where(SigningKeyRow.kid == kid))
    if row is not None:
        ring.add_public(row.kid, row.public_key, status=row.status,
                        revoked_reason=row.revoked_reason, revoked_at=row.revoked_at)
    return ring


def published(session: Session) -> list[SigningKeyRow]:
    return list(session.scalars(select(SigningKeyRow).order_by(SigningKeyRow.created_at)))


def revoke(session: Session, actor: User, kid: str, reason: str) -> SigningKeyRow:
    """Revoke a key: every certificate it signed now verifies as revoked, with this reason."""
    if not actor.is_operator:
        raise Forbidden("only operators revoke signing keys", code="role_required")
    if not reason or not reason.strip():
        raise ValidationFailed("a revocation needs a reason", fields={"reason": ["Required."]})
    row = session.scalar(select(SigningKeyRow).where(SigningKeyRow.kid == kid).with_for_update())
    if row is None:
        raise NotFound("no such signing key")
    if row.status is not KeyStatus.REVOKED:
        before = row.status.value
        row.status, row.revoked_reason, row.revoked_at = KeyStatus.REVOKED, reason, clock.now(session)
        audit.record(session, actor.id, "signing_key.revoke", "signing_key", kid,
                     before={"status": before}, after={"status": "revoked"}, reason=reason)
        session.flush()
        summary.revoke_key_on_listings(session, kid)
    return row
