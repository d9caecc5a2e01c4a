"""Remanufactured and graded goods, and NEV battery custody (issue 22).

For other domains (functions and frozen dataclasses only):
- `claim_for_listing(session, entry_id, warranty_months, model=None)` -> RemanClaim, or 422 naming
  the field (listings: a remanufactured listing must name a catalogue entry and its warranty).
- `grading`: LEGAL_CLASSES, GRADES, `legal_class_for(condition)`, `grade_errors(grade, facts, electronics=)`,
  `words(table, code)` (pure; listings and trade-ins).
- `record_inspection(session, ...)` (trade-in inspection) and `graded_for(session, device_hash,
  serial_hash, org_id)` -> Graded | None (listings inherit the grade).
"""
from services.remanufacturing import grading  # noqa: F401
from services.remanufacturing.catalogue import RemanClaim, claim_for_listing  # noqa: F401
from services.remanufacturing.inspections import Graded, graded_for, record_inspection  # noqa: F401

__all__ = ["Graded", "RemanClaim", "claim_for_listing", "graded_for", "grading", "record_inspection"]
