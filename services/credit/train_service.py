"""Training a candidate scorecard on recorded outcomes (used by `flask credit train` and the API)."""
from __future__ import annotations

import re
import uuid
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from services import audit, clock
from services.credit import registry
from services.credit.models import CreditScorecard
from services.credit.outcomes import BAD_KINDS, OUTCOME_WINDOW, recorded_outcomes
from services.credit.reasons import reason_texts
from services.credit.report import write_report
from services.credit.synthetic import PARTICIPANT_CONFIG
from services.credit.training import Dataset, Progress, TrainingConfig, TrainingResult, train_with_holdout
from services.errors import Conflict, ValidationFailed

VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


def new_version(now) -> str:
    """A version name from the time `now`."""
    return f"v{now:%Y%m%d-%H%M%S}"


def check_version(version: str) -> str:
    if not VERSION_RE.match(version):
        raise ValidationFailed("invalid scorecard version", fields={"version": [
            "Lower-case letters, digits, '.', '_' and '-', at most 60."]})
    return version


def fit_and_report(data: Dataset, version: str, config: TrainingConfig, report_root: str | Path,
                   reasons=None, progress: Progress | None = None) -> tuple[TrainingResult, Path]:
    """Fit on a stratified split, measure on the rest, write the report; raises TrainingDataError."""
    result = train_with_holdout(data, version, config, reasons=reasons, progress=progress)
    folder = Path(report_root) / version
    write_report(result, folder)
    result.scorecard.metadata["report"] = str(folder)
    return result, folder


def train_on_outcomes(session: Session, actor_id: uuid.UUID | None, *, version: str | None = None,
                      snapshots: int = 1, seed: int = 0, report_root: str | Path,
                      progress: Progress | None = None) -> CreditScorecard:
    """Fit a candidate card on the recorded outcomes and register it (audited); never promotes it.

    Raises TrainingDataError (422) when the outcomes cannot make a card, e.g. nobody turned bad.
    """
    version = check_version(version or new_version(clock.now(session)))
    registry.ensure_default(session)
    if session.get(CreditScorecard, version) is not None:  # fail before the slow part
        raise Conflict(f"scorecard version {version} exists already", code="credit_version_exists")
    data = recorded_outcomes(session, snapshots=snapshots)
    config = replace(PARTICIPANT_CONFIG, seed=seed)
    result, folder = fit_and_report(data, version, config, report_root, reason_texts(), progress)
    result.scorecard.metadata["outcome"] = (
        f"bad = one of {sorted(BAD_KINDS)} within {OUTCOME_WINDOW.days} days of the snapshot; "
        f"{snapshots} snapshot(s)")
    row = registry.register_candidate(session, result.scorecard, report_dir=str(folder))
    audit.record(session, actor_id, "credit.scorecard.train", "credit_scorecard", version,
                 after={"metrics": row.metrics, "rows": len(data)})
    return row
