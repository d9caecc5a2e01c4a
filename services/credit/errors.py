"""Credit-specific domain errors; each is a ValidationFailed so the HTTP edge answers 422."""
from __future__ import annotations

from services.errors import ValidationFailed


class ProtectedAttributeError(ValidationFailed):
    """A protected attribute or a proxy for one was offered as a scorecard input."""
    code = "credit_protected_attribute"


class TrainingDataError(ValidationFailed):
    """Training data that cannot produce a scorecard (one class only, too few rows, no usable feature)."""
    code = "credit_training_data"


class ScorecardError(ValidationFailed):
    """A scorecard document that is malformed or breaks the method (non-monotone bins, wrong sign)."""
    code = "credit_scorecard_invalid"
