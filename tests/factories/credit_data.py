"""Synthetic trade-behaviour data with a known structure, for the scorecard unit tests."""
from __future__ import annotations

import numpy as np

from services.credit.training import Dataset


def synthetic(n: int = 4000, seed: int = 7) -> Dataset:
    """Bad outcomes driven by no-shows and disputes lost, helped by completed orders."""
    rng = np.random.default_rng(seed)
    no_shows = rng.poisson(0.6, n)
    disputes_lost = rng.poisson(0.3, n)
    orders = rng.poisson(8, n)
    tier = rng.choice(["gold", "silver", "bronze", "none"], n, p=[0.2, 0.3, 0.3, 0.2])
    tier_effect = np.select([tier == "gold", tier == "silver", tier == "bronze"], [-0.8, -0.3, 0.2], 0.7)
    noise_factor = rng.normal(0, 1, n)  # unrelated to the outcome
    log_odds_bad = -2.0 + 0.9 * no_shows + 1.1 * disputes_lost - 0.12 * orders + tier_effect
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds_bad))).astype(int)
    cols = {
        "no_shows": no_shows.astype(object),
        "disputes_lost": disputes_lost.astype(object),
        "orders_completed": orders.astype(object),
        "seller_tier": tier.astype(object),
        "noise_factor": noise_factor.astype(object),
    }
    kinds = {"no_shows": "numeric", "disputes_lost": "numeric", "orders_completed": "numeric",
             "seller_tier": "categorical", "noise_factor": "numeric"}
    return Dataset(cols, kinds, y)
