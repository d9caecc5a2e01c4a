"""Graded inspections kept per device, so that a resale listing inherits the grade its inspector
(the trade-in's handler) recorded rather than a grade the seller retypes."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services import clock
from services.remanufacturing.models import GradedInspection


@dataclass(frozen=True)
class Graded:
    grade: str
    facts: dict
    source: str
    ref_id: uuid.UUID
    inspected_at: datetime


def record_inspection(session: Session, *, device_hash: str | None, serial_hash: str | None, org_id,
                      source: str, ref_id, grade: str, facts: dict) -> None:
    """Keep a device's grade and its facts (already validated by `grading.grade_errors`)."""
    session.add(GradedInspection(device_hash=device_hash, serial_hash=serial_hash, org_id=org_id, source=source,
                                 ref_id=ref_id, grade=grade, facts=dict(facts), inspected_at=clock.now(session)))


def graded_for(session: Session, device_hash: str | None, serial_hash: str | None, org_id) -> Graded | None:
    """The latest grade `org_id` recorded for this device (by IMEI or serial hash), or None."""
    keys = [c == v for c, v in ((GradedInspection.device_hash, device_hash),
                                (GradedInspection.serial_hash, serial_hash)) if v]
    if not keys or org_id is None:
        return None
    row = session.scalar(select(GradedInspection).where(or_(*keys), GradedInspection.org_id == org_id)
                         .order_by(GradedInspection.inspected_at.desc()).limit(1))
    return None if row is None else Graded(row.grade, dict(row.facts), row.source, row.ref_id, row.inspected_at)
