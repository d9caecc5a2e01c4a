"""Remanufacturing: the operator-kept catalogue of recognised remanufacturers and product models,
and graded inspections (NEV battery custody is services/batteries)."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class Basis(str, enum.Enum):
    """Why an entry is recognised."""
    MIIT_CATALOGUE = "miit_catalogue"      # 《再制造产品目录》 announced by MIIT (工信部节〔2010〕303号 Art. 3)
    AUTO_PARTS_2021 = "auto_parts_2021"    # 《汽车零部件再制造规范管理暂行办法》 (2021-04-14), Art. 5 conditions
    PILOT_2015 = "pilot_2015"              # 以旧换再 pilot list (10 enterprises, 112 models)


class CatalogueEntry(UUIDPk, Timestamps, Base):
    """One recognised remanufacturer and product model. Filled by hand by operators from the
    announcements: no public lookup service exists."""
    __tablename__ = "reman_catalogue_entries"
    __table_args__ = (
        Index("uq_reman_catalogue_live_model", "credit_code", "model", unique=True,
              postgresql_where=text("withdrawn_at IS NULL"), sqlite_where=text("withdrawn_at IS NULL")),
    )

    enterprise_name: Mapped[str] = mapped_column(String(120))
    # 统一社会信用代码 of the enterprise: a business register number, public, kept as is.
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str] = mapped_column(String(40))        # e.g. 汽车零部件, 工程机械, 机床
    product_name: Mapped[str] = mapped_column(String(120))   # e.g. 再制造发动机
    model: Mapped[str] = mapped_column(String(80))
    basis: Mapped[Basis] = mapped_column(enum_column(Basis))
    announcement_no: Mapped[str] = mapped_column(String(80))  # e.g. 工业和信息化部公告2011年第22号
    batch: Mapped[int | None] = mapped_column(Integer)
    # The enterprise's public warranty commitment (months); a listing may promise more, never less.
    warranty_months: Mapped[int] = mapped_column(Integer)
    commitment_url: Mapped[str | None] = mapped_column(String(300))
    quality_not_below_new: Mapped[bool] = mapped_column(Boolean)
    lawful_core_sourcing: Mapped[bool] = mapped_column(Boolean)
    added_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))


class GradedInspection(UUIDPk, Base):
    """A device's cosmetic grade with the inspection facts behind it, as an inspector recorded it
    (a trade-in inspection today): the resale listing of the same device by the same organisation
    inherits it."""
    __tablename__ = "reman_graded_inspections"

    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)   # IMEI, keyed hash
    serial_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)        # the inspecting organisation
    source: Mapped[str] = mapped_column(String(20))                            # tradein
    ref_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    grade: Mapped[str] = mapped_column(String(12))
    facts: Mapped[dict] = mapped_column(JSON)
    inspected_at: Mapped[datetime] = mapped_column(default=utcnow)
