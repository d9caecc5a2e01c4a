"""Ed25519 signing of certificates, with a keyring of key ids, rotation and revocation.

The signed bytes are the RFC 8785 form of ``{"alg", "kid", "payload"}``: the key id is inside
what is signed, so an envelope cannot be relabelled to point at another key. Rotation adds a
new active key and keeps the old one for verification only; revocation keeps the public key
(old certificates must still be *recognised*) but every certificate it signed reports the
revocation instead of passing.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import NotCanonicalisable, canonicalize

log = logging.getLogger(__name__)

ALG = "Ed25519"


class KeyStatus(StrEnum):
    ACTIVE = "active"      # signs new certificates
    RETIRED = "retired"    # rotated out: verifies old certificates, signs nothing
    REVOKED = "revoked"    # compromised or withdrawn: its certificates show as revoked


class SignatureProblem(StrEnum):
    KEY_UNKNOWN = "KEY_UNKNOWN"
    ALG_UNSUPPORTED = "ALG_UNSUPPORTED"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    KEY_REVOKED = "KEY_REVOKED"


class SigningUnavailable(RuntimeError):
    """No usable private key: the keyring can verify but not issue."""


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Accept standard or URL-safe base64, padded or not (operators paste either)."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


@dataclass
class KeyEntry:
    kid: str
    public_key: Ed25519PublicKey
    status: KeyStatus
    private_key: Ed25519PrivateKey | None = field(default=None, repr=False)
    revoked_reason: str | None = None
    revoked_at: datetime | None = None

    @property
    def public_b64(self) -> str:
        return b64encode(raw_public(self.public_key))


@dataclass(frozen=True)
class SignedEnvelope:
    """The stored, served record: a payload and the signature over it."""
    kid: str
    payload: dict[str, Any]
    signature: str
    alg: str = ALG

    def to_dict(self) -> dict[str, Any]:
        return {"alg": self.alg, "kid": self.kid, "payload": self.payload,
                "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SignedEnvelope":
        return cls(kid=data["kid"], payload=data["payload"], signature=data["signature"],
                   alg=data.get("alg", ALG))


def signed_bytes(alg: str, kid: str, payload: Mapping[str, Any]) -> bytes:
    return canonicalize({"alg": alg, "kid": kid, "payload": payload})


@dataclass(frozen=True)
class Verification:
    signature_ok: bool
    kid: str
    key_status: KeyStatus | None
    problem: SignatureProblem | None = None
    revoked_reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.signature_ok and self.key_status is not KeyStatus.REVOKED


class Keyring:
    """Key ids -> Ed25519 keys. At most one key is active (the one that signs)."""

    def __init__(self) -> None:
        self._keys: dict[str, KeyEntry] = {}
        self._active: str | None = None

    def __contains__(self, kid: str) -> bool:
        return kid in self._keys

    def get(self, kid: str) -> KeyEntry | None:
        return self._keys.get(kid)

    def entries(self) -> list[KeyEntry]:
        return list(self._keys.values())

    @property
    def active(self) -> KeyEntry | None:
        return self._keys.get(self._active) if self._active else None

    def add_private(self, kid: str, private_key: Ed25519PrivateKey, *,
                    active: bool = False) -> KeyEntry:
        entry = KeyEntry(kid=kid, public_key=private_key.public_key(),
                         private_key=private_key, status=KeyStatus.RETIRED)
        existing = self._keys.get(kid)
        if existing and existing.public_b64 != entry.public_b64:
            raise ValueError(f"key id {kid!r} already names a different key")
        if existing:  # a public-only entry learns its private half; keep its status
            existing.private_key = private_key
            entry = existing
        self._keys[kid] = entry
        if active:
            self._make_active(kid)
        return entry

    def add_public(self, kid: str, public_key_b64: str, *, status: KeyStatus = KeyStatus.RETIRED,
                   revoked_reason: str | None = None,
                   revoked_at: datetime | None = None) -> KeyEntry:
        """Register a verify-only key (e.g. loaded from the published key table)."""
        public = Ed25519PublicKey.from_public_bytes(b64decode(public_key_b64))
        existing = self._keys.get(kid)
        if existing and existing.public_b64 != b64encode(raw_public(public)):
            raise ValueError(f"key id {kid!r} already names a different key")
        entry = existing or KeyEntry(kid=kid, public_key=public, status=KeyStatus.RETIRED)
        self._keys[kid] = entry
        if status is KeyStatus.REVOKED:
            self.revoke(kid, revoked_reason or "revoked", at=revoked_at)
        elif status is KeyStatus.ACTIVE and entry.private_key is not None:
            self._make_active(kid)
        else:  # verify-only: record the published status, sign nothing with it
            entry.status = status
        return entry

    def generate(self, kid: str | None = None, *, active: bool = True) -> KeyEntry:
        kid = kid or f"k-{secrets.token_hex(4)}"
        return self.add_private(kid, Ed25519PrivateKey.generate(), active=active)

    def rotate(self, new_kid: str | None = None) -> KeyEntry:
        """Make a fresh key active; the previous one stays for verification only."""
        return self.generate(new_kid, active=True)

    def revoke(self, kid: str, reason: str, *, at: datetime | None = None) -> KeyEntry:
        if not reason or not reason.strip():
            raise ValueError("a revocation needs a reason")
        entry = self._keys[kid]
        entry.status, entry.revoked_reason, entry.revoked_at = KeyStatus.REVOKED, reason, at
        if self._active == kid:
            self._active = None
        return entry

    def _make_active(self, kid: str) -> None:
        entry = self._keys[kid]
        if entry.status is KeyStatus.REVOKED:
            raise ValueError(f"key {kid!r} is revoked")
        if entry.private_key is None:
            raise SigningUnavailable(f"key {kid!r} has no private half here")
        if self._active and self._active != kid:
            self._keys[self._active].status = KeyStatus.RETIRED
        entry.status = KeyStatus.ACTIVE
        self._active = kid

    def sign(self, payload: Mapping[str, Any]) -> SignedEnvelope:
        """Sign `payload` with the active key. Raises SigningUnavailable if there is none."""
        entry = self.active
        if entry is None or entry.private_key is None:
            raise SigningUnavailable("no active signing key")
        payload = json.loads(json.dumps(payload))  # detach from the caller's mutable objects
        sig = entry.private_key.sign(signed_bytes(ALG, entry.kid, payload))
        return SignedEnvelope(kid=entry.kid, payload=payload, signature=b64encode(sig))

    def verify(self, envelope: SignedEnvelope | Mapping[str, Any]) -> Verification:
        """Check the signature against the named key; report the key's status either way."""
        if not isinstance(envelope, SignedEnvelope):
            try:
                envelope = SignedEnvelope.from_dict(envelope)
            except (KeyError, TypeError):
                return Verification(False, "", None, SignatureProblem.SIGNATURE_INVALID)
        entry = self._keys.get(envelope.kid)
        if entry is None:
            return Verification(False, envelope.kid, None, SignatureProblem.KEY_UNKNOWN)
        if envelope.alg != ALG:
            return Verification(False, entry.kid, entry.status, SignatureProblem.ALG_UNSUPPORTED)
        try:
            entry.public_key.verify(b64decode(envelope.signature),
                                    signed_bytes(envelope.alg, envelope.kid, envelope.payload))
        except (InvalidSignature, binascii.Error, ValueError, NotCanonicalisable, TypeError):
            return Verification(False, entry.kid, entry.status, SignatureProblem.SIGNATURE_INVALID)
        if entry.status is KeyStatus.REVOKED:
            return Verification(True, entry.kid, entry.status, SignatureProblem.KEY_REVOKED,
                                entry.revoked_reason)
        return Verification(True, entry.kid, entry.status)

    def published(self) -> list[dict[str, Any]]:
        """The public key list a third party needs to verify offline."""
        return [{"kid": e.kid, "alg": ALG, "public_key": e.public_b64, "status": e.status.value,
                 "revoked_reason": e.revoked_reason} for e in self._keys.values()]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Keyring":
        """Keys from CERT_SIGNING_KEYS (JSON: kid -> base64 raw 32-byte Ed25519 private key).

        The active key is CERT_SIGNING_ACTIVE_KID, else the last one listed. Without the
        variable a throwaway key is generated so that development works; its certificates
        stop verifying once the process ends unless its public key was persisted.
        """
        env = os.environ if env is None else env
        ring = cls()
        raw = env.get("CERT_SIGNING_KEYS", "").strip()
        if not raw:
            entry = ring.generate(f"dev-{secrets.token_hex(4)}")
            log.warning("CERT_SIGNING_KEYS is not set: generated a throwaway certificate "
                        "signing key %s (development only)", entry.kid)
            return ring
        try:
            keys = json.loads(raw)
            if not isinstance(keys, dict) or not keys:
                raise ValueError("expected a non-empty JSON object")
            for kid, b64 in keys.items():
                ring.add_private(kid, Ed25519PrivateKey.from_private_bytes(b64decode(b64)))
        except (ValueError, binascii.Error, TypeError) as exc:
            raise ValueError(f"CERT_SIGNING_KEYS is malformed: {exc}") from None
        active = env.get("CERT_SIGNING_ACTIVE_KID") or list(keys)[-1]
        if active not in ring:
            raise ValueError(f"CERT_SIGNING_ACTIVE_KID {active!r} is not in CERT_SIGNING_KEYS")
        ring._make_active(active)
        return ring


def new_private_key_b64() -> str:
    """A fresh key in the CERT_SIGNING_KEYS format (for operators and tests)."""
    return b64encode(raw_private(Ed25519PrivateKey.generate()))
