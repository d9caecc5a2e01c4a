"""The honest layer over a trained card: every negative record costs points through a visible
factor, and the score is monotone in the record.

A trained card cannot promise either by itself:

1. *Every negative record costs points.* Training prices patterns. It drops a factor whose
   coefficient comes out with the wrong sign (default-v1 dropped `inspection_mismatches`, so an
   inspection mismatch cost nothing), and the count floors (features.py) forgive a first
   cancellation or lost dispute. So each negative record of the trade-in, pickup, order, dispute
   and certificate domains also costs the fixed *conduct points* of CONDUCT below. Each kind is
   its own factor, `record:<kind>`, in the score's factors (value = records that count, points =
   what they cost), and a reason with a stable code when it is among the biggest losses.
   Conduct points are policy, not statistics: they are the same for every card version and
   expire with the record (five years, features.NEGATIVE_HORIZON) or when an operator voids it.

2. *Monotone.* Adding a negative record never raises the score or band; adding a clean
   completed trade never lowers it. For that:
   - each card factor pays in the direction features.DIRECTIONS says (`check_directions`,
     run when a card is registered, promoted and used);
   - a rate's empty bin ("no pickups yet", "no certificates yet") and its clean bin (rate 0)
     score alike, since the first record of the kind may be good or bad: both take the lower of
     their two points, never below the next worse bin (`monotone_card`). With default-v1 a
     newcomer's cancellation and dispute rates score what a clean seller's do (about 30 points
     less than before: an unverified new account is `poor`, a verified one `fair`), and a
     recycler's clean wipe record no longer earns 55 points over having none. The other way
     round (the empty bins' points for everyone) put an unverified account three trades old in
     `good`, with its privileges;
   - the rates count every trade and case (features.py), and the thin-file band cap depends on
     completed trades only (service.py), so a negative record cannot lift the cap.
   tests/unit/credit/test_credit_monotone.py checks both properties over generated histories.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from services.credit import features
from services.credit.errors import ScorecardError
from services.credit.reasons import CATALOGUE
from services.credit.scorecard import MAX_REASONS, Reason, Scorecard, ScoredFeature, ScoreResult


@dataclass(frozen=True)
class Conduct:
    kind: str      # the credit event kind (services.credit.events.KINDS)
    domain: str    # who records it
    code: str      # reason code (services.credit.reasons.CATALOGUE)
    points: int    # points each record costs

    @property
    def factor(self) -> str:
        return f"record:{self.kind}"


# On the card's scale 50 points halve the odds of good (PDO). A record the participant caused
# on purpose or that cheats the other side (a false declaration, a revoked certificate, money
# never paid back) costs most.
CONDUCT: dict[str, Conduct] = {c.kind: c for c in (
    Conduct("inspection_mismatch", "tradein", "INSPECTION_MISMATCH", 40),
    Conduct("clawback_unpaid", "tradein", "CLAWBACK_UNPAID", 30),
    Conduct("pickup_no_show", "pickup", "PICKUP_NO_SHOW", 20),
    Conduct("pickup_cancelled_late", "pickup", "PICKUP_LATE_CANCEL", 12),
    Conduct("order_cancelled_seller", "order", "SELLER_CANCELLATIONS", 15),
    # Also a card order whose reservation ran out unpaid (the buyer's non-payment).
    Conduct("order_cancelled_buyer", "order", "BUYER_CANCELLATIONS", 10),
    Conduct("order_not_shipped", "order", "ORDER_NOT_SHIPPED", 30),
    Conduct("payment_failed", "order", "PAYMENT_FAILURES", 5),
    Conduct("dispute_lost", "dispute", "DISPUTES_LOST", 25),
    Conduct("chargeback", "dispute", "CHARGEBACKS", 30),
    Conduct("wipe_certificate_refused", "certificate", "WIPE_NONCOMPLIANT", 15),
    Conduct("wipe_certificate_revoked", "certificate", "CERTIFICATE_REVOKED", 40),
)}
CONDUCT_FACTORS: tuple[str, ...] = tuple(c.factor for c in CONDUCT.values())


def check_directions(card: Scorecard) -> None:
    """Raise ScorecardError naming every factor whose points run against features.DIRECTIONS."""
    wrong = []
    for f in card.features:
        if f.name == "identity_verified":
            pts = {b.label: p for b, p in zip(f.binning.bins, f.points)}
            if "yes" in pts and "no" in pts and pts["yes"] < pts["no"]:
                wrong.append(f.name)
            continue
        sign = features.DIRECTIONS.get(f.name)
        if sign is None or f.binning.kind != "numeric":
            continue
        ordered = [p for p, b in zip(f.points, f.binning.bins) if not b.special]
        if any(sign * d < -1e-9 for d in np.diff(ordered)):
            wrong.append(f.name)
    if wrong:
        raise ScorecardError(f"scorecard {card.version}: points run the wrong way for {', '.join(wrong)}"
                             " (a negative record would raise a score or a trade lower it)")


def _tie_rate(f: ScoredFeature) -> ScoredFeature:
    clean = f.binning.index(0.0)
    empty = f.binning.special_index("missing")
    if empty is None:
        return f
    worse = [p for i, (p, b) in enumerate(zip(f.points, f.binning.bins)) if not b.special and i != clean]
    # The lower of the two: no record is not a good record (a newcomer's empty rates were priced
    # above a clean seller's), and a clean record earns nothing over none (a recycler's clean wipe
    # record was 55 points above having none, so its first refusal would have raised the score).
    # Never below a worse rate, so the order of the real bins stands.
    tie = min(f.points[clean], f.points[empty])
    if worse:
        tie = max(tie, max(worse))
    points = list(f.points)
    points[clean] = points[empty] = tie
    return replace(f, points=points)


def monotone_card(card: Scorecard) -> Scorecard:
    """The card as it scores participants: directions checked, each rate's empty and clean bins
    tied. The stored card document is left as trained."""
    # Kept on the card object itself (a parsed card never changes, services/credit/registry.py
    # caches it by content): building it costs about a millisecond, more than scoring.
    built = card.__dict__.get("_monotone")
    if built is None:
        check_directions(card)
        feats = [_tie_rate(f) if f.name in features.RATES and f.binning.kind == "numeric" else f
                 for f in card.features]
        built = Scorecard(version=card.version, scaling=card.scaling, intercept=card.intercept,
                          features=feats, bands=card.bands, metadata=card.metadata)
        built.__dict__["_monotone"] = built
        card.__dict__["_monotone"] = built
    return built


def conduct_values(tally: features.Tally) -> dict[str, int]:
    """Records that count, per conduct factor."""
    return {c.factor: int(tally.counts[c.kind]) for c in CONDUCT.values()}


def _label(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


def _merge(card_reasons: Sequence[Reason], extra: Sequence[Reason]) -> tuple[Reason, ...]:
    """One reason per code (a card factor and a conduct factor may share one), biggest loss first."""
    by_code: dict[str, Reason] = {}
    for r in [*card_reasons, *extra]:
        seen = by_code.get(r.code)
        by_code[r.code] = r if seen is None else replace(
            seen, points_lost=round(seen.points_lost + r.points_lost, 2))
    # Stable: the card's own order among equal losses, conduct after.
    return tuple(sorted(by_code.values(), key=lambda r: -r.points_lost)[:MAX_REASONS])


def _with_conduct(card: Scorecard, res: ScoreResult, tally: features.Tally) -> ScoreResult:
    points, bins = dict(res.points), dict(res.bins)
    extra = []
    for c in CONDUCT.values():
        n = int(tally.counts[c.kind])
        cost = c.points * n
        points[c.factor], bins[c.factor] = float(-cost), _label(n)
        if cost:
            text = CATALOGUE[c.code]
            extra.append(Reason(code=c.code, feature=c.factor, points_lost=float(cost), bin=_label(n),
                                en=text.en, zh=text.zh))
    raw = res.raw + sum(points[f] for f in CONDUCT_FACTORS)
    score = card.scaling.clamp(raw)
    return ScoreResult(score=score, raw=raw, band=card.band_for(score).name,
                       reasons=_merge(res.reasons, extra), points=points, bins=bins, version=res.version)


def score_many(card: Scorecard, rows: Sequence[Mapping[str, Any]],
               tallies: Sequence[features.Tally]) -> list[ScoreResult]:
    """Score participants (their factor values and the tallies they came from) with the card
    made monotone plus conduct points. Reasons: at most four, one per code."""
    if not rows:
        return []
    honest = monotone_card(card)
    columns = {name: np.array([r.get(name) for r in rows], dtype=object) for name in features.FEATURE_NAMES}
    results = honest.score_columns(columns, max_reasons=len(honest.features))
    return [_with_conduct(honest, res, t) for res, t in zip(results, tallies)]


def score_one(card: Scorecard, values: Mapping[str, Any], tally: features.Tally) -> ScoreResult:
    return score_many(card, [values], [tally])[0]
