"""Declarative base shared by every domain's models.

Keys are UUIDs (opaque to clients), enums are stored by value so that a renamed Python
member never rewrites data, and constraint names follow one convention so that Alembic
autogenerate produces stable, reviewable migrations.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime, timezone
from typing import Callable, Iterator

from sqlalchemy import DateTime, Enum, MetaData, Uuid, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC.

    SQLite drops the offset, so values are normalised to UTC on the way in and
    re-tagged as UTC on the way out: code never sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column(enum_cls: type[enum.Enum], **kw):
    """An Enum column stored by value (not by member name), as a plain string."""
    return Enum(
        enum_cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        **kw,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class UUIDPk:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


# ---- batch jobs: one transaction per item --------------------------------------------------------

Checkpoint = Callable[[], None]


def no_checkpoint() -> None:
    """A job run inside its caller's transaction (a test, a one-off command): nothing to commit
    between items. The job runner passes `session.commit` instead (marketplace/jobs.py)."""


def each_locked(session: Session, model, *conditions) -> Iterator:
    """The rows of `model` that match `conditions`, each re-read and locked (FOR UPDATE SKIP
    LOCKED) just before it is yielded, so that a job committing after every item (its
    `checkpoint`) holds one row's lock at a time and skips a row another worker holds or that no
    longer matches since the ids were read."""
    ids = list(session.scalars(select(model.id).where(*conditions)))
    for row_id in ids:
        row = session.scalar(select(model).where(model.id == row_id, *conditions).with_for_update(skip_locked=True))
        if row is not None:
            yield row
