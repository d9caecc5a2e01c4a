"""A synthetic participant population with outcomes, for the default scorecard and benchmarks.

There are no recorded outcomes before the marketplace runs, so the shipped default card is
fitted on this documented generative model instead (and replaced by `flask credit train` on
real outcomes once there are enough). Each participant has a hidden risk z ~ N(0, 1); riskier
participants cancel, lose disputes, miss pickups, misdeclare trade-ins, leave clawbacks unpaid
and fail payments more often, and are more likely to turn bad within 90 days (about 6% do).
Nothing here models a protected attribute.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from services.credit.binning import BinningConfig
from services.credit.features import FEATURES, AccountFacts, Tally, features_from
from services.credit.reasons import reason_texts
from services.credit.training import Dataset, TrainingConfig, TrainingResult, train_with_holdout


NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    return rng.poisson(np.clip(lam, 0, None))


def population(n: int, seed: int = 0) -> tuple[list[AccountFacts], list[Tally], np.ndarray]:
    """n participants: account facts, event tallies and outcomes (1 = bad within 90 days)."""
    rng = np.random.default_rng(seed)
    now = NOW
    z = rng.normal(0, 1, n)
    age = rng.exponential(420, n).astype(int)
    verified = rng.random(n) < np.clip(0.8 - 0.12 * z, 0.05, 0.98)
    activity = np.exp(rng.normal(1.2, 0.9, n)) * np.clip(age / 365, 0.05, 3)
    trades = _poisson(rng, activity)
    cancelled = _poisson(rng, trades * 0.04 * np.exp(1.3 * z))
    disputes_lost = _poisson(rng, trades * 0.02 * np.exp(1.4 * z))
    reviews = rng.binomial(trades, 0.6)
    stars_mean = np.clip(4.6 - 0.35 * np.maximum(z, 0), 1, 5)
    stars = np.clip(np.rint(rng.normal(stars_mean, 0.6, (n,))), 1, 5).astype(int) * reviews
    tradeins = _poisson(rng, 0.5 * np.clip(age / 365, 0.1, 3))
    mismatches = rng.binomial(tradeins, np.clip(0.06 * np.exp(1.4 * z), 0, 1))
    clawbacks_unpaid = rng.binomial(mismatches, np.clip(0.25 * np.exp(1.3 * z), 0, 1))
    pickups = _poisson(rng, 0.8 * np.clip(age / 365, 0.1, 3))
    no_shows = rng.binomial(pickups, np.clip(0.07 * np.exp(1.3 * z), 0, 1))
    recycler = rng.random(n) < 0.05
    certificates = np.where(recycler, _poisson(rng, np.full(n, 40.0)), 0)
    refused = rng.binomial(certificates, np.clip(0.03 * np.exp(1.3 * z), 0, 1))
    payment_failed = _poisson(rng, 0.08 * np.exp(1.1 * z) * np.clip(trades, 1, None) ** 0.3)
    chargebacks = _poisson(rng, 0.015 * np.exp(1.4 * z))
    log_odds_bad = -4.4 + 1.6 * z + 0.5 * (age < 60) + 0.3 * ~verified
    bad = (rng.random(n) < 1 / (1 + np.exp(-log_odds_bad))).astype(int)

    accounts, tallies = [], []
    for i in range(n):
        accounts.append(AccountFacts(identity_verified=bool(verified[i]),
                                     opened_at=now - timedelta(days=int(age[i]))))
        t = Tally()
        half = trades[i] // 2
        for kind, k in (("order_completed_buyer", trades[i] - half), ("order_completed_seller", half),
                        ("order_cancelled_buyer", cancelled[i]), ("dispute_lost", disputes_lost[i]),
                        ("inspection_mismatch", mismatches[i]), ("clawback_unpaid", clawbacks_unpaid[i]),
                        ("clawback_paid", mismatches[i] - clawbacks_unpaid[i]),
                        ("pickup_kept", pickups[i] - no_shows[i]), ("pickup_no_show", no_shows[i]),
                        ("wipe_certificate_ok", certificates[i] - refused[i]),
                        ("wipe_certificate_refused", refused[i]), ("payment_failed", payment_failed[i]),
                        ("chargeback", chargebacks[i])):
            if k:
                t.add(kind, int(k))
        if reviews[i]:
            t.add("review_received", int(reviews[i]), int(stars[i]))
        tallies.append(t)
    return accounts, tallies, bad


def dataset(n: int, seed: int = 0) -> Dataset:
    """The synthetic population as a training Dataset of participant factors."""
    accounts, tallies, bad = population(n, seed)
    now = NOW
    rows = [features_from(a, t, now) for a, t in zip(accounts, tallies)]
    cols = {name: np.array([r[name] for r in rows], dtype=object) for name in FEATURES}
    return Dataset(cols, dict(FEATURES), bad)


# The participant card keeps rare, severe events (a chargeback, an unpaid clawback) as their own
# bins, so its bins need only 1% of rows, and factors need an IV of 0.01.
PARTICIPANT_CONFIG = TrainingConfig(binning=BinningConfig(min_bin_share=0.01), min_iv=0.01,
                                    pdo=50, base_score=600, base_odds=20)
DEFAULT_ROWS = 60_000
DEFAULT_SEED = 1


def train_default(version: str, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED,
                  progress=None) -> TrainingResult:
    """Fit the shipped default participant card on the synthetic population."""
    result = train_with_holdout(dataset(rows, seed), version, PARTICIPANT_CONFIG,
                                reasons=reason_texts(), progress=progress)
    result.scorecard.metadata["trained_on"] = (
        f"synthetic population (services/credit/synthetic.py, {rows} rows, seed {seed})")
    return result
