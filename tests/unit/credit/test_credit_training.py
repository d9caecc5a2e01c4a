from __future__ import annotations

import numpy as np
import pytest

from services.credit.errors import ScorecardError, TrainingDataError
from services.credit.scorecard import Scorecard
from services.credit.training import (
    Dataset, TrainingConfig, fit_scorecard, load_csv, metrics_for, train_with_holdout,
)


def test_fitted_card_has_monotone_bins_and_positive_coefficients(synthetic_data):
    card = fit_scorecard(synthetic_data, "v-test")
    assert {"no_shows", "disputes_lost", "orders_completed", "seller_tier"} <= set(card.feature_names)
    assert "noise_factor" not in card.feature_names  # below the minimum information value
    for f in card.features:
        assert f.coefficient > 0
        pts = [p for p, b in zip(f.points, f.binning.bins) if not b.special]
        assert np.all(np.diff(pts) > 0) or np.all(np.diff(pts) < 0)
    # More no-shows never raise the score.
    ns = next(f for f in card.features if f.name == "no_shows")
    assert ns.points[ns.binning.index(0)] > ns.points[ns.binning.index(5)]


def test_a_factor_whose_coefficient_turns_negative_is_dropped_and_the_model_refitted():
    # `noisy_copy` tracks `driver` closely, so on its own it looks predictive; given `driver`
    # it pulls the other way (a suppressor), and its coefficient comes out negative.
    rng = np.random.default_rng(11)
    n = 6000
    driver = rng.normal(0, 1, n)
    noisy_copy = driver + rng.normal(0, 0.5, n)
    log_odds_bad = -1 + 2.5 * driver - 1.2 * noisy_copy
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds_bad))).astype(int)
    data = Dataset({"driver": driver.astype(object), "noisy_copy": noisy_copy.astype(object)},
                   {"driver": "numeric", "noisy_copy": "numeric"}, y)
    card = fit_scorecard(data, "v-test")
    assert card.feature_names == ["driver"]
    assert "noisy_copy" in card.metadata["dropped_factors"]
    assert all(f.coefficient > 0 for f in card.features)


def test_a_card_with_a_wrong_sign_factor_cannot_be_built(synthetic_data):
    doc = fit_scorecard(synthetic_data, "v-test").to_dict()
    doc["features"][0]["coefficient"] = -0.5
    with pytest.raises(ScorecardError, match="coefficient"):
        Scorecard.from_dict(doc)
    doc = fit_scorecard(synthetic_data, "v-test").to_dict()
    bins = doc["features"][0]["bins"]
    bins[0]["points"], bins[1]["points"] = bins[1]["points"], bins[0]["points"]
    with pytest.raises(ScorecardError):
        Scorecard.from_dict(doc)


@pytest.mark.parametrize("bad", [0, 1])
def test_single_class_training_data_is_a_clear_error(synthetic_data, bad):
    data = Dataset(synthetic_data.columns, synthetic_data.kinds, np.full(len(synthetic_data), bad))
    with pytest.raises(TrainingDataError) as err:
        fit_scorecard(data, "v-test")
    assert err.value.code == "credit_single_class"
    assert "single outcome class" in err.value.detail
    assert err.value.status == 422
    with pytest.raises(TrainingDataError, match="single outcome class"):
        train_with_holdout(data, "v-test")


def test_too_little_data_and_no_rows_are_clear_errors():
    with pytest.raises(TrainingDataError, match="no training rows"):
        fit_scorecard(Dataset({}, {}, np.array([], dtype=int)), "v")
    y = np.array([0] * 8 + [1] * 2)
    with pytest.raises(TrainingDataError, match="too little"):
        fit_scorecard(Dataset({"orders": np.arange(10).astype(object)}, {"orders": "numeric"}, y), "v")


def test_metrics_on_a_single_class_are_a_clear_error():
    with pytest.raises(TrainingDataError, match="single outcome class"):
        metrics_for(np.array([600.0, 700.0]), np.array([0, 0]))


def test_metrics_match_their_definitions():
    scores = np.array([300.0, 400, 500, 600, 700, 800])
    y_bad = np.array([1, 1, 0, 1, 0, 0])
    m = metrics_for(scores, y_bad)
    # Of the 9 good/bad pairs, the good one scores higher in 8.
    assert m.auc == pytest.approx(8 / 9)
    assert m.gini == pytest.approx(2 * 8 / 9 - 1)
    assert m.ks == pytest.approx(2 / 3)


def test_holdout_training_reports_separation_on_unseen_rows(synthetic_data):
    r = train_with_holdout(synthetic_data, "v-test", TrainingConfig(seed=3))
    assert r.test.rows == round(0.3 * len(synthetic_data))
    assert r.test.auc > 0.7 and r.test.ks > 0.3
    assert r.scorecard.metadata["metrics"]["test"]["auc"] == round(r.test.auc, 4)
    assert r.scorecard.metadata["split"]["seed"] == 3


def test_load_csv_codes_outcomes_and_drops_columns(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("orders,tier,sex,outcome\n1,a,m,good\n2,b,f,bad\n,a,m,Good\n")
    d = load_csv(p, "outcome", bad_values=("bad",), drop=("sex",))
    assert list(d.y) == [0, 1, 0]
    assert d.kinds == {"orders": "numeric", "tier": "categorical"}
    with pytest.raises(TrainingDataError, match="no outcome column"):
        load_csv(p, "target")
