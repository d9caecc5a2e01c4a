"""Blocklisted IMEIs, serial numbers and VINs, kept as keyed hashes with the last four characters."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column


class Kind(str, enum.Enum):
    IMEI = "imei"
    VIN = "vin"
    SERIAL = "serial"


class Reason(str, enum.Enum):
    LOST = "lost"
    STOLEN = "stolen"
    FRAUD = "fraud"


# Hash purposes shared with listings and certificates, so that the same device matches everywhere.
PURPOSE = {Kind.IMEI: "device", Kind.VIN: "device", Kind.SERIAL: "serial"}


class BlockedIdentifier(UUIDPk, Timestamps, Base):
    __tablename__ = "blocklist"
    __table_args__ = (
        # At most one live entry per identifier; removed entries stay as history.
        Index("uq_blocklist_live_hash", "value_hash", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
    )

    kind: Mapped[Kind] = mapped_column(enum_column(Kind))
    value_hash: Mapped[str] = mapped_column(String(64), index=True)
    last4: Mapped[str] = mapped_column(String(4))
    reason: Mapped[Reason] = mapped_column(enum_column(Reason))
    reference: Mapped[str | None] = mapped_column(String(80))   # e.g. a police report number
    note: Mapped[str | None] = mapped_column(String(500))
    added_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    removal_reason: Mapped[str | None] = mapped_column(String(500))
