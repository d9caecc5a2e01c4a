"""Taking and giving back slot capacity. One conditional UPDATE decides, so concurrent bookings
never pass the capacity: the row lock serialises them and each re-checks the condition."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.pickups.models import Booking, Recycler, Slot


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def take(session: Session, r: Recycler, starts_at: datetime, volume_l: int, weight_kg: int) -> uuid.UUID | None:
    """Book one pickup (and its bulk) in the recycler's slot at `starts_at`; None when full."""
    ins = _insert(session)(Slot).values(
        id=uuid.uuid4(), recycler_id=r.id, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=r.slot_minutes), capacity_count=r.slot_capacity,
        booked_count=0, capacity_volume_l=r.slot_volume_l, booked_volume_l=0,
        capacity_weight_kg=r.slot_weight_kg, booked_weight_kg=0)
    session.execute(ins.on_conflict_do_nothing(index_elements=["recycler_id", "starts_at"]))
    cond = [Slot.recycler_id == r.id, Slot.starts_at == starts_at, Slot.booked_count + 1 <= Slot.capacity_count]
    if volume_l:
        cond.append(or_(Slot.capacity_volume_l.is_(None), Slot.booked_volume_l + volume_l <= Slot.capacity_volume_l))
    if weight_kg:
        cond.append(or_(Slot.capacity_weight_kg.is_(None),
                        Slot.booked_weight_kg + weight_kg <= Slot.capacity_weight_kg))
    stmt = (update(Slot).where(*cond)
            .values(booked_count=Slot.booked_count + 1, booked_volume_l=Slot.booked_volume_l + volume_l,
                    booked_weight_kg=Slot.booked_weight_kg + weight_kg)
            .returning(Slot.id).execution_options(synchronize_session=False))
    return session.execute(stmt).scalar_one_or_none()


def give_back(session: Session, b: Booking) -> None:
    """Return the booking's share of its slot (cancellation, rescheduling)."""
    if b.slot_id is None:
        return
    session.execute(update(Slot).where(Slot.id == b.slot_id)
                    .values(booked_count=Slot.booked_count - 1, booked_volume_l=Slot.booked_volume_l - b.volume_l,
                            booked_weight_kg=Slot.booked_weight_kg - b.weight_kg)
                    .execution_options(synchronize_session=False))
    b.slot_id = None
