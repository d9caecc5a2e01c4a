"""One row of a subject's score history, built the same way by the one-subject path
(service.compute) and the batch (batch.recompute_many): the thin-file cap and an active score
override applied to the scorecard's result."""
from __future__ import annotations

import uuid
from datetime import datetime

from services.credit import features
from services.credit.models import CreditOverride
from services.credit.scorecard import Reason, Scorecard, ScoreResult

THIN_FILE_REASON = Reason(code="THIN_FILE", feature="", points_lost=0.0, bin="",
                          en="Too little trade history yet: the band is capped until "
                             f"{features.THIN_FILE_MIN_TRADES} trades are completed",
                          zh=f"交易记录不足：完成{features.THIN_FILE_MIN_TRADES}笔交易前信用等级设有上限")


def _band_rank(card: Scorecard, band: str) -> int:
    return [b.name for b in card.bands].index(band)


def score_row(subject_id: uuid.UUID, card: Scorecard, result: ScoreResult, values: dict,
              thin: bool, override: CreditOverride | None, trigger: str, now: datetime) -> dict:
    """The credit_scores row (a dict of columns) for `result`: thin files capped at
    THIN_FILE_BAND_CAP with the THIN_FILE reason first; an override's score and its band win."""
    score, band, reasons = result.score, result.band, list(result.reasons)
    cap = features.THIN_FILE_BAND_CAP
    if thin and _band_rank(card, band) > _band_rank(card, cap):
        band = cap
        reasons = [THIN_FILE_REASON, *reasons][:4]
    if override is not None:
        score = override.score
        band = card.band_for(score).name
    return {
        "id": uuid.uuid4(), "subject_id": subject_id, "score": score, "raw_score": round(result.raw, 4),
        "band": band, "scorecard_version": card.version,
        "reasons": [r.__dict__ for r in reasons],
        "factors": {k: {"value": values.get(k), "bin": result.bins[k], "points": round(p, 2)}
                    for k, p in result.points.items()},
        "thin_file": thin, "override_id": override.id if override else None,
        "trigger": trigger, "computed_at": now,
    }
