from __future__ import annotations

import pytest

from services.credit.outlook import outlook
from services.credit.scorecard import load_scorecard


def test_outlook_lists_the_steps_that_would_raise_the_band():
    card = load_scorecard("default-v1")
    weak = {"identity_verified": "no", "account_age_days": 400, "trades_completed": 10,
            "cancellation_rate": 0.0, "dispute_loss_rate": 0.0, "review_average": 4.7,
            "inspection_mismatches": 0, "clawbacks_unpaid": 1, "pickup_no_show_rate": 0.0,
            "wipe_refusal_rate": None, "payment_failures": 2, "chargebacks": 0}
    result = card.score(weak)
    look = outlook(card, result)
    assert look.band == result.band and look.next_band is not None
    assert look.points_to_next_band == card.bands[[b.name for b in card.bands].index(result.band) + 1].min_score - result.score
    codes = [s.code for s in look.steps]
    assert {"IDENTITY_NOT_VERIFIED", "CLAWBACK_UNPAID", "PAYMENT_FAILURES"} <= set(codes)
    gains = [s.points_to_best_bin for s in look.steps if not s.time_only]
    assert gains == sorted(gains, reverse=True)
    for s in look.steps:
        assert 0 < s.points_to_next_bin <= s.points_to_best_bin + 1e-9
    assert look.reachable
    # Doing the first step really raises the score by what it promises.
    better = dict(weak, identity_verified="yes")
    step = look.steps[codes.index("IDENTITY_NOT_VERIFIED")]
    assert card.score(better).raw - result.raw == pytest.approx(step.points_to_best_bin, abs=0.1)


def test_the_top_band_has_no_next_band():
    card = load_scorecard("default-v1")
    best = {f.name: None for f in card.features}
    result = card.score(best)
    from dataclasses import replace
    top = replace(result, score=900, raw=900.0, band="excellent")
    look = outlook(card, top)
    assert look.next_band is None and look.points_to_next_band == 0 and not look.reachable
