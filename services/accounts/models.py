"""Users, organisations (retailers and recyclers) with staff, and their access tokens."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column


class Role(str, enum.Enum):
    CONSUMER = "consumer"
    RETAILER = "retailer"
    RECYCLER = "recycler"
    OPERATOR = "operator"


class IdStatus(str, enum.Enum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class OrgKind(str, enum.Enum):
    RETAILER = "retailer"
    RECYCLER = "recycler"


class MemberRole(str, enum.Enum):
    OWNER = "owner"
    STAFF = "staff"


class OrgStatus(str, enum.Enum):
    """Vetting of an organisation's registration by an operator (see services/accounts/vetting.py)."""
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class InvitationStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class User(UUIDPk, Timestamps, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    display_name: Mapped[str] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Real-name verification: only a keyed hash and the last four characters are kept.
    id_status: Mapped[IdStatus] = mapped_column(enum_column(IdStatus), default=IdStatus.UNVERIFIED)
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_last4: Mapped[str | None] = mapped_column(String(4))
    id_reject_reason: Mapped[str | None] = mapped_column(String(300))
    password_changed_at: Mapped[datetime | None] = mapped_column()
    # The mainland mobile number texts go to (services/accounts/phones.py): kept whole because the
    # SMS provider needs it, shown and logged only masked (138****5678).
    phone: Mapped[str | None] = mapped_column(String(11))
    # Set when the owner of the address used a confirmation link (services/accounts/signup.py);
    # an account without it cannot log in. Accounts older than the confirmation step count as confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column()

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", lazy="selectin")

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    def org_ids(self) -> set[uuid.UUID]:
        return {m.org_id for m in self.memberships}


class Organization(UUIDPk, Timestamps, Base):
    __tablename__ = "organizations"

    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    name: Mapped[str] = mapped_column(String(120))
    licence_no: Mapped[str | None] = mapped_column(String(64))
    # Vetting: privileges that rest on being a real, licensed business (certifying wipes, taking
    # pickups, subsidised sales, claims...) need VERIFIED. Codes are public business registry
    # data, not personal data, so they are kept in clear for the operator to check.
    verification_status: Mapped[OrgStatus] = mapped_column(
        enum_column(OrgStatus), default=OrgStatus.UNVERIFIED, server_default=OrgStatus.UNVERIFIED.value)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    recycling_reg_no: Mapped[str | None] = mapped_column(String(64))
    verification_reason: Mapped[str | None] = mapped_column(String(300))
    verified_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_verified(self) -> bool:
        return self.verification_status == OrgStatus.VERIFIED

    members: Mapped[list[Membership]] = relationship(back_populates="org", lazy="selectin")


class Membership(UUIDPk, Timestamps, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))

    org: Mapped[Organization] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


_PENDING_SQL = "status = 'pending'"


class OrgInvitation(UUIDPk, Timestamps, Base):
    """An owner's invitation to join; membership starts only when the invitee accepts."""
    __tablename__ = "org_invitations"
    __table_args__ = (
        # One open invitation per person and organisation: a second one is a 409, not a duplicate.
        Index("uq_org_invitations_pending", "org_id", "user_id", unique=True,
              postgresql_where=text(_PENDING_SQL), sqlite_where=text(_PENDING_SQL)),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    status: Mapped[InvitationStatus] = mapped_column(enum_column(InvitationStatus), default=InvitationStatus.PENDING)
    responded_at: Mapped[datetime | None] = mapped_column()

    org: Mapped[Organization] = relationship(lazy="selectin")


class AuthToken(UUIDPk, Base):
    """An access or refresh token, stored as a SHA-256 of the secret; a login is one `session_id`."""
    __tablename__ = "auth_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # access | refresh
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
