"""What other domains use of remanufacturing's grading scale (pure): the legal classes, the
cosmetic grades and the field errors of a grade against its inspection facts (listings)."""
from __future__ import annotations

from services.remanufacturing.grading import GRADES, LEGAL_CLASSES, grade_errors

__all__ = ["GRADES", "LEGAL_CLASSES", "grade_errors"]
