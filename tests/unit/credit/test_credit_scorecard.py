from __future__ import annotations

import math

import numpy as np
import pytest

from services.credit.errors import ScorecardError
from services.credit.scorecard import Scaling, Scorecard, load_scorecard
from services.credit.training import TrainingConfig, fit_scorecard


@pytest.fixture(scope="module")
def card(synthetic_data):
    return fit_scorecard(synthetic_data, "v-test")


def test_adding_pdo_points_doubles_the_odds():
    s = Scaling(pdo=50, base_score=600, base_odds=20)
    assert s.score_for_log_odds(math.log(20)) == pytest.approx(600)
    assert s.score_for_log_odds(math.log(40)) == pytest.approx(650)
    assert s.score_for_log_odds(math.log(10)) == pytest.approx(550)
    for score in (400.0, 600.0, 777.7):
        assert s.odds_at(score + 50) == pytest.approx(2 * s.odds_at(score))


def test_scores_are_clamped_to_the_350_950_scale():
    s = Scaling()
    assert s.clamp(120.0) == 350 and s.clamp(2000.0) == 950 and s.clamp(612.4) == 612


def test_card_points_are_the_models_log_odds_on_the_pdo_scale(card, synthetic_data):
    """raw score = offset + factor * (intercept + sum(coefficient * WoE)), bin by bin."""
    raw = card.raw_scores(synthetic_data.columns)
    log_odds = np.full(len(synthetic_data), card.intercept)
    for f in card.features:
        log_odds += f.coefficient * f.binning.woe(synthetic_data.columns[f.name])
    assert raw == pytest.approx(card.scaling.offset + card.scaling.factor * log_odds)
    # The fitted odds of good double for every PDO points, as the scale promises.
    pair = np.argsort(raw)[[100, -100]]
    odds = np.exp(log_odds[pair])
    assert odds[1] / odds[0] == pytest.approx(2 ** ((raw[pair[1]] - raw[pair[0]]) / card.scaling.pdo))


def test_one_score_matches_the_vectorised_scores(card, synthetic_data):
    cols = synthetic_data.columns
    many = card.scores(cols)
    for i in range(0, len(synthetic_data), 397):
        rec = {k: v[i] for k, v in cols.items()}
        assert card.score(rec).score == many[i]


def _record_at(card, chooser):
    """A record that falls in the bin `chooser(points)` picks for each factor."""
    rec = {}
    for f in card.features:
        i = chooser([p if not b.special else None for p, b in zip(f.points, f.binning.bins)])
        b = f.binning.bins[i]
        rec[f.name] = b.categories[0] if b.categories else (b.lower if b.lower is not None else b.upper - 1)
    return rec


def test_best_record_has_no_reasons_and_worst_gets_the_top_four_point_losers(card):
    best = card.score(_record_at(card, lambda ps: max((p, i) for i, p in enumerate(ps) if p is not None)[1]))
    assert best.reasons == ()
    worst_rec = _record_at(card, lambda ps: min((p, i) for i, p in enumerate(ps) if p is not None)[1])
    worst = card.score(worst_rec)
    losses = sorted(((f.best_points - worst.points[f.name], f.reason.code) for f in card.features),
                    reverse=True)
    assert len(worst.reasons) == min(4, len(card.features))
    assert [r.code for r in worst.reasons] == [code for _, code in losses[:4]]
    assert [r.points_lost for r in worst.reasons] == sorted((r.points_lost for r in worst.reasons), reverse=True)
    assert worst.score < best.score
    assert all(r.en and r.zh for r in worst.reasons)


def test_reasons_name_only_factors_that_cost_points(card):
    rec = _record_at(card, lambda ps: max((p, i) for i, p in enumerate(ps) if p is not None)[1])
    rec["no_shows"] = 6
    result = card.score(rec)
    assert [r.feature for r in result.reasons] == ["no_shows"]
    assert result.reasons[0].code == "NO_SHOWS"


def test_bands_follow_the_score(card):
    assert card.band_for(350).name == "poor"
    assert card.band_for(549).name == "poor"
    assert card.band_for(600).name == "good"
    assert card.band_for(720).name == "excellent"
    assert card.band_for(950).name == "excellent"


def test_scorecards_are_versioned_json_data(card, tmp_path, synthetic_data):
    path = card.save(tmp_path)
    assert path.name == "v-test.json"
    loaded = load_scorecard("v-test", tmp_path)
    assert loaded.version == "v-test"
    assert np.array_equal(loaded.scores(synthetic_data.columns), card.scores(synthetic_data.columns))
    with pytest.raises(ScorecardError, match="already exists"):
        card.save(tmp_path)
    with pytest.raises(ScorecardError, match="no scorecard"):
        load_scorecard("v-missing", tmp_path)
    with pytest.raises(ScorecardError, match="not a scorecard"):
        Scorecard.from_dict({"version": "x"})


def test_the_scale_can_be_anchored_at_the_training_odds(synthetic_data):
    card = fit_scorecard(synthetic_data, "v-test", TrainingConfig(base_odds=None, base_score=600))
    goods = len(synthetic_data) - synthetic_data.y.sum()
    assert card.scaling.base_odds == pytest.approx(goods / synthetic_data.y.sum())


def test_factors_without_data_are_never_reasons_and_best_bins_are_real_ones():
    from services.credit.scorecard import load_scorecard
    card = load_scorecard("default-v1")
    clean = {"identity_verified": "yes", "account_age_days": 900, "trades_completed": 40,
             "cancellation_rate": 0.0, "dispute_loss_rate": 0.0, "review_average": 4.9,
             "inspection_mismatches": 0, "clawbacks_unpaid": 0, "pickup_no_show_rate": 0.0,
             "wipe_refusal_rate": None, "payment_failures": 0, "chargebacks": 0}
    result = card.score(clean)
    # No certificates (a consumer) and the thin-file bins that score above the best real bin
    # give no reason; a clean established participant has none at all.
    assert result.reasons == ()
    thin = dict(clean, cancellation_rate=None, dispute_loss_rate=None, identity_verified="no")
    assert [r.code for r in card.score(thin).reasons] == ["IDENTITY_NOT_VERIFIED"]
