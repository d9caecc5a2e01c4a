"""An honest score: every negative record costs points through a visible factor, and the score
is monotone in the record (property tests over generated histories).

The score here is computed exactly as services/credit/service.py computes it (features ->
honest.score_one -> _row_from_result with the thin-file cap); only the tally comes from a list
instead of the database (tests/integration/credit/test_credit_honest.py covers that path).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.credit import features, honest
from services.credit.events import KINDS
from services.credit.reasons import CATALOGUE
from services.credit.scorecard import load_scorecard
from services.credit.rows import score_row as _row_from_result
from services.credit.synthetic import PARTICIPANT_CONFIG, dataset
from services.credit.training import fit_scorecard

NOW = datetime(2026, 6, 1, tzinfo=UTC)
NEGATIVE = sorted(features.NEGATIVE_KINDS)
TRADES = sorted(features.TRADE_KINDS)


@dataclass
class Ev:
    kind: str
    occurred_at: datetime
    value: int | None = None


def _score(card, verified: bool, age_days: int, events: list[Ev]) -> dict:
    t = features.tally(events, NOW)
    values = features.features_from(features.AccountFacts(verified, NOW - timedelta(days=age_days)), t, NOW)
    result = honest.score_one(card, values, t)
    values.update(honest.conduct_values(t))
    return _row_from_result(uuid.uuid4(), card, result, values, features.is_thin_file(t), None, "test", NOW)


def _rank(card, band: str) -> int:
    return [b.name for b in card.bands].index(band)


@pytest.fixture(scope="module")
def default_card():
    return load_scorecard("default-v1")


@pytest.fixture(scope="module")
def retrained_card():
    # A card trained afresh on the synthetic population: the guarantees must not depend on the
    # numbers of the shipped card.
    return fit_scorecard(dataset(4000, seed=11), "retrained", PARTICIPANT_CONFIG)


def _event(kind_strategy):
    return st.builds(
        Ev, kind=kind_strategy,
        occurred_at=st.integers(0, 6 * 365).map(lambda d: NOW - timedelta(days=d)),
        value=st.integers(1, 5))


# Any history: every kind a domain records, old and recent, reviews with any stars, positives
# and negatives mixed; trades weighted so that thin and thick files both come up.
histories = st.tuples(
    st.booleans(), st.integers(0, 3000),
    st.lists(_event(st.sampled_from(sorted(KINDS))), max_size=30)
    .flatmap(lambda evs: st.lists(_event(st.sampled_from(TRADES)), max_size=25).map(lambda ts: evs + ts)))

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("which", ["default_card", "retrained_card"])
@PROPERTY
@given(history=histories, kind=st.sampled_from(NEGATIVE), stars=st.integers(1, 5))
def test_adding_a_negative_record_never_raises_the_score_or_the_band(request, which, history, kind, stars):
    card = request.getfixturevalue(which)
    verified, age, events = history
    before = _score(card, verified, age, events)
    after = _score(card, verified, age, [*events, Ev(kind, NOW - timedelta(hours=1), stars)])
    assert after["score"] <= before["score"]
    assert _rank(card, after["band"]) <= _rank(card, before["band"])
    # It costs points through its visible factor, unless the score already sits on the floor.
    factor = honest.CONDUCT[kind].factor
    assert after["factors"][factor]["value"] == before["factors"][factor]["value"] + 1
    assert after["factors"][factor]["points"] == before["factors"][factor]["points"] - honest.CONDUCT[kind].points
    assert after["raw_score"] < before["raw_score"]


@pytest.mark.parametrize("which", ["default_card", "retrained_card"])
@PROPERTY
@given(history=histories, kind=st.sampled_from(TRADES))
def test_adding_a_clean_completed_trade_never_lowers_the_score_or_the_band(request, which, history, kind):
    card = request.getfixturevalue(which)
    verified, age, events = history
    before = _score(card, verified, age, events)
    after = _score(card, verified, age, [*events, Ev(kind, NOW - timedelta(hours=1))])
    assert after["score"] >= before["score"]
    assert _rank(card, after["band"]) >= _rank(card, before["band"])


def test_every_negative_kind_has_conduct_points_and_a_reason_in_both_languages():
    assert set(honest.CONDUCT) == features.NEGATIVE_KINDS
    for c in honest.CONDUCT.values():
        assert c.points > 0 and c.kind in KINDS
        assert CATALOGUE[c.code].en and CATALOGUE[c.code].zh
    assert {c.domain for c in honest.CONDUCT.values()} == {"tradein", "pickup", "order", "dispute", "certificate"}


def test_one_trade_with_an_inspection_mismatch_is_below_two_clean_trades_and_not_good(default_card):
    # The reported case: declared "like new", found "fair", on the only trade.
    day = NOW - timedelta(days=30)
    mismatch = _score(default_card, True, 400, [Ev("order_completed_seller", day), Ev("inspection_mismatch", day)])
    clean = _score(default_card, True, 400, [Ev("order_completed_seller", day)] * 2)
    assert mismatch["score"] < clean["score"]
    assert _rank(default_card, mismatch["band"]) <= _rank(default_card, clean["band"])
    assert _rank(default_card, mismatch["band"]) < _rank(default_card, "good")
    assert mismatch["factors"]["record:inspection_mismatch"] == {"value": 1, "bin": "1 record", "points": -40.0}
    assert "INSPECTION_MISMATCH" in [r["code"] for r in mismatch["reasons"]]


def test_a_mismatch_costs_points_on_a_thick_file_too(default_card):
    day = NOW - timedelta(days=30)
    trades = [Ev("order_completed_seller", day)] * 12
    clean = _score(default_card, True, 400, trades)
    hit = _score(default_card, True, 400, [*trades, Ev("inspection_mismatch", day)])
    assert hit["score"] == clean["score"] - 40
    assert hit["reasons"][0]["code"] == "INSPECTION_MISMATCH"


def test_a_card_that_pays_the_wrong_way_is_refused(default_card):
    doc = default_card.to_dict()
    trades = next(f for f in doc["features"] if f["name"] == "trades_completed")
    real = [b for b in trades["bins"] if not b.get("special")]
    for b, p in zip(real, sorted((b["points"] for b in real), reverse=True)):
        b["points"] = p  # more trades, fewer points
        b["woe"] = p / 100
    from services.credit.errors import ScorecardError
    from services.credit.scorecard import Scorecard
    card = Scorecard.from_dict(doc)
    with pytest.raises(ScorecardError, match="trades_completed"):
        honest.monotone_card(card)


def test_an_empty_rate_scores_like_a_clean_one(default_card):
    card = honest.monotone_card(default_card)
    for name in features.RATES:
        f = next(f for f in card.features if f.name == name)
        assert f.points[f.binning.index(None)] == f.points[f.binning.index(0.0)]


def test_no_record_is_not_a_good_record(default_card):
    # Empty rates score like clean ones at the lower price: a newcomer earns no bonus for having
    # nothing on file, and three quick trades by an unverified account do not reach `good`.
    day = NOW - timedelta(days=1)
    assert _score(default_card, False, 0, [])["band"] == "poor"
    assert _score(default_card, True, 0, [])["band"] == "fair"
    assert _score(default_card, False, 0, [Ev("order_completed_seller", day)] * 3)["band"] == "fair"
