"""What would raise a participant's band: points to the next band and where they can come from.

For each factor that is not in its best bin, the card says how many points the next better bin
and the best bin would add. Factors without data (the missing bin) offer no step. Only factors a participant can change by behaviour are offered
(`account_age_days` only grows with time, so it is listed as such, not as advice).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from services.credit.reasons import hint
from services.credit.scorecard import Band, Scorecard, ScoreResult

TIME_ONLY_FACTORS = frozenset({"account_age_days"})


@dataclass(frozen=True)
class Step:
    feature: str
    code: str
    current_bin: str
    next_bin: str
    points_to_next_bin: float
    points_to_best_bin: float
    hint_en: str
    hint_zh: str
    time_only: bool


@dataclass(frozen=True)
class Outlook:
    band: str
    next_band: str | None
    points_to_next_band: int
    steps: tuple[Step, ...]
    reachable: bool  # the listed steps together could reach the next band


def _next_band(card: Scorecard, band: str) -> Band | None:
    names = [b.name for b in card.bands]
    i = names.index(band)
    return card.bands[i + 1] if i + 1 < len(card.bands) else None


def outlook(card: Scorecard, result: ScoreResult) -> Outlook:
    """Points needed for the next band and the factor steps that would earn them, biggest first."""
    nxt = _next_band(card, result.band)
    # From the unclamped score: a participant clamped at 350 may need more than it shows.
    needed = max(0, math.ceil(nxt.min_score - result.raw)) if nxt else 0
    steps = []
    for f in card.features:
        current = result.points[f.name]
        labels = {b.label: b for b in f.binning.bins}
        now_bin = labels.get(result.bins[f.name])
        if now_bin is not None and now_bin.special:
            continue  # no data on this factor: nothing the participant can improve yet
        gain_best = f.best_points - current
        if gain_best <= 1e-9:
            continue
        better = [(p, b.label) for p, b in zip(f.points, f.binning.bins)
                  if not b.special and p > current + 1e-9]
        if not better:
            continue
        p_next, label_next = min(better)
        en, zh = hint(f.reason.code)
        steps.append(Step(feature=f.name, code=f.reason.code, current_bin=result.bins[f.name],
                          next_bin=label_next, points_to_next_bin=round(p_next - current, 1),
                          points_to_best_bin=round(gain_best, 1), hint_en=en, hint_zh=zh,
                          time_only=f.name in TIME_ONLY_FACTORS))
    steps.sort(key=lambda s: (s.time_only, -s.points_to_best_bin))
    reachable = nxt is not None and sum(s.points_to_best_bin for s in steps) >= needed
    return Outlook(band=result.band, next_band=nxt.name if nxt else None,
                   points_to_next_band=needed, steps=tuple(steps), reachable=reachable)
