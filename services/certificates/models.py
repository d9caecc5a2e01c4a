"""The certificate registry: append-only signed records, per-medium and per-identifier rows,
signing keys, the operators' tool allow-list, chain-of-custody events and pending requests."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String,
                        UniqueConstraint, Uuid, event, text)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from services.db import Base, UUIDPk, enum_column, utcnow

from .signing import KeyStatus


class CertStatus(str, enum.Enum):
    VALID = "valid"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


class RequestStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CustodyKind(str, enum.Enum):
    INTAKE = "intake"          # we took the device (trade-in received, pickup collected)
    RETURNED = "returned"      # back from a buyer or repair: custody restarts, re-certify
    TRANSFER = "transfer"      # moved between our sites or to a processor
    WIPE = "wipe"
    QC_SAMPLE = "qc_sample"
    DISPATCH = "dispatch"      # left our custody


# Events after which an earlier wipe no longer counts (abuse case 5: replayed stale wipe).
CUSTODY_STARTS = (CustodyKind.INTAKE, CustodyKind.RETURNED)


class SigningKeyRow(UUIDPk, Base):
    """The published half of every key that ever signed, with its status."""
    __tablename__ = "cert_signing_keys"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[KeyStatus] = mapped_column(enum_column(KeyStatus))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WipeTool(UUIDPk, Base):
    """An erasure tool and version the operators accept, with its assurance evidence."""
    __tablename__ = "wipe_tools"
    __table_args__ = (UniqueConstraint("name", "version"),)

    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    assurance: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column()


class CustodyEvent(UUIDPk, Base):
    __tablename__ = "custody_events"

    device_hash: Mapped[str] = mapped_column(String(64), index=True)
    device_last4: Mapped[str] = mapped_column(String(4))
    kind: Mapped[CustodyKind] = mapped_column(enum_column(CustodyKind))
    at: Mapped[datetime] = mapped_column()
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateRequest(UUIDPk, Base):
    """A technician's checked, hashed, unsigned document waiting for its second person."""
    __tablename__ = "wipe_certificate_requests"

    certificate_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    technician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    validator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wipe_certificates.id"))
    payload: Mapped[dict] = mapped_column(JSON)
    device_hashes: Mapped[list] = mapped_column(JSON)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus),
                                                  default=RequestStatus.PENDING)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class WipeCertificate(Base):
    """A signed certificate. Its signed columns never change; only its status moves."""
    __tablename__ = "wipe_certificates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), index=True)
    alg: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    device_kind: Mapped[str] = mapped_column(String(20))
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    destination: Mapped[str] = mapped_column(String(20))
    technician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    validator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column()
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("wipe_certificates.id"), unique=True)
    status: Mapped[CertStatus] = mapped_column(enum_column(CertStatus), default=CertStatus.VALID)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column()
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    media: Mapped[list[CertificateMedium]] = relationship(
        order_by="CertificateMedium.position", lazy="selectin", cascade="all")
    identifiers: Mapped[list[CertificateIdentifier]] = relationship(lazy="selectin",
                                                                    cascade="all")

    def envelope(self) -> dict:
        return {"alg": self.alg, "kid": self.kid, "payload": self.payload,
                "signature": self.signature}


class CertificateMedium(UUIDPk, Base):
    """One row per storage medium, copied from the signed payload for querying."""
    __tablename__ = "wipe_certificate_media"

    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wipe_certificates.id"),
                                                      index=True)
    position: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(20))
    interface: Mapped[str] = mapped_column(String(30))
    capacity_bytes: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(String(10))
    technique: Mapped[str] = mapped_column(String(24))
    serial_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_last4: Mapped[str | None] = mapped_column(String(4))
    tool_name: Mapped[str] = mapped_column(String(120))
    tool_version: Mapped[str] = mapped_column(String(40))
    verification_method: Mapped[str] = mapped_column(String(24))
    completed_at: Mapped[datetime] = mapped_column()


class CertificateIdentifier(UUIDPk, Base):
    """A device identifier (keyed hash) a certificate covers; `current` marks the one live
    certificate per device, enforced by a partial unique index."""
    __tablename__ = "wipe_certificate_identifiers"
    __table_args__ = (
        Index("uq_wipe_certificate_identifiers_current", "id_hash", unique=True,
              postgresql_where=text("current"), sqlite_where=text("current")),
    )

    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wipe_certificates.id"),
                                                      index=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    last4: Mapped[str] = mapped_column(String(4))
    current: Mapped[bool] = mapped_column(Boolean, default=True)


_SIGNED = ("id", "kid", "alg", "payload", "signature", "digest", "issued_at", "supersedes_id")


class AppendOnlyViolation(RuntimeError):
    """Code tried to edit or delete a signed certificate; corrections supersede instead."""


@event.listens_for(Session, "before_flush")
def _guard_signed_records(session: Session, flush_context, instances) -> None:
    from sqlalchemy import inspect
    for obj in session.deleted:
        if isinstance(obj, (WipeCertificate, CertificateMedium, CertificateIdentifier)):
            raise AppendOnlyViolation("certificates are never deleted")
    for obj in session.dirty:
        if isinstance(obj, WipeCertificate):
            state = inspect(obj)
            changed = [a for a in _SIGNED if state.attrs[a].history.has_changes()]
            if changed:
                raise AppendOnlyViolation(f"signed fields are immutable: {', '.join(changed)}")
        elif isinstance(obj, CertificateMedium) and session.is_modified(obj):
            raise AppendOnlyViolation("certificate media rows are immutable")


class WipeRequestStatus(str, enum.Enum):
    REQUESTED = "requested"    # the consumer asked; the recycler has not answered
    ACCEPTED = "accepted"      # the recycler will wipe it (device dropped off or collected)
    CERTIFIED = "certified"    # fulfilled: `certificate_id` is the device's signed certificate
    DECLINED = "declined"
    CANCELLED = "cancelled"


class WipeRequest(UUIDPk, Base):
    """A consumer's request that a recycler wipe and certify their device, dropped off or
    collected with a pickup; followed to its certificate. Identifiers as keyed hashes only."""
    __tablename__ = "wipe_requests"

    consumer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    recycler_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # drop_off | pickup
    pickup_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # plain reference into pickups
    device_kind: Mapped[str] = mapped_column(String(20))
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)   # IMEI, purpose "device"
    device_last4: Mapped[str | None] = mapped_column(String(4))
    serial_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_last4: Mapped[str | None] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[WipeRequestStatus] = mapped_column(enum_column(WipeRequestStatus),
                                                      default=WipeRequestStatus.REQUESTED)
    decline_reason: Mapped[str | None] = mapped_column(String(300))
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wipe_certificates.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
