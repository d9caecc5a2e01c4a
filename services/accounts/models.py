"""Users, organisations (retailers and recyclers) with staff, and their access tokens."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, Uuid
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

    members: Mapped[list[Membership]] = relationship(back_populates="org", lazy="selectin")


class Membership(UUIDPk, Timestamps, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))

    org: Mapped[Organization] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


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
