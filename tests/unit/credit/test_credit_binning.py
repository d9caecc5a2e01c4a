from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.credit.binning import BinningConfig, bin_categorical, bin_numeric


def _assert_strictly_monotone(fb) -> None:
    woes = [b.woe for b in fb.ordered]
    diffs = np.diff(woes)
    assert np.all(diffs > 0) or np.all(diffs < 0), woes


def test_numeric_bins_are_monotone_even_when_the_raw_pattern_is_not():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 100, 3000)
    # Bad rate rises with x but with a bump in the middle that quantile pre-bins would show.
    p = 0.05 + 0.004 * x + np.where((x > 40) & (x < 50), -0.15, 0)
    y = (rng.random(len(x)) < np.clip(p, 0.01, 0.99)).astype(int)
    fb = bin_numeric("days_since_last_no_show", x, y)
    _assert_strictly_monotone(fb)
    woes = [b.woe for b in fb.ordered]
    assert woes[0] > woes[-1]  # more x, more bads, lower WoE
    assert 2 <= len(fb.ordered) <= BinningConfig().max_bins


def test_numeric_bins_cover_the_line_and_respect_the_minimum_share():
    rng = np.random.default_rng(2)
    x = rng.exponential(1000, 2000)
    y = (rng.random(2000) < 0.1 + 0.3 * (x > 1500)).astype(int)
    fb = bin_numeric("order_value", x, y)
    ordered = fb.ordered
    assert ordered[0].lower is None and ordered[-1].upper is None
    for a, b in zip(ordered, ordered[1:]):
        assert a.upper == b.lower
    assert all(b.count >= 0.05 * len(x) for b in ordered)
    assert sum(b.count for b in ordered) == len(x)
    # A value lands in the bin whose interval holds it.
    for v in (0.0, 1499.0, 1501.0, 1e9, -5.0):
        b = fb.bins[fb.index(v)]
        assert (b.lower is None or v >= b.lower) and (b.upper is None or v < b.upper)


def test_missing_numeric_values_get_their_own_bin_or_a_neutral_one():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, 1000).astype(object)
    y = (rng.random(1000) < 0.2).astype(int)
    x[:100] = None
    y[:100] = 1  # missing is very bad here
    fb = bin_numeric("f", x, y)
    missing = fb.bins[fb.special_index("missing")]
    assert missing.count == 100 and missing.woe < -1
    assert fb.index(None) == fb.special_index("missing")

    few = bin_numeric("f", rng.normal(0, 1, 1000), (rng.random(1000) < 0.2).astype(int))
    assert few.woe([None])[0] == 0.0


def test_categorical_groups_are_ordered_by_woe_and_rare_categories_are_grouped():
    rng = np.random.default_rng(4)
    cats = np.array(["a"] * 500 + ["b"] * 400 + ["c"] * 300 + ["rare1"] * 10 + ["rare2"] * 12,
                    dtype=object)
    rate = {"a": 0.05, "b": 0.2, "c": 0.4, "rare1": 0.5, "rare2": 0.1}
    y = np.array([rng.random() < rate[c] for c in cats], dtype=int)
    fb = bin_categorical("payment_method", cats, y)
    _assert_strictly_monotone(fb)
    assert all(b.count >= 0.05 * len(cats) for b in fb.ordered)
    assert sorted(c for b in fb.ordered for c in b.categories) == ["a", "b", "c", "rare1", "rare2"]
    assert fb.woe(["never-seen"])[0] == 0.0
    assert fb.bins[fb.index("never-seen")].special == "other"


def test_woe_is_finite_for_pure_bins():
    x = np.arange(1000)
    y = (x >= 800).astype(int)  # the top bins hold only bads, the others only goods
    fb = bin_numeric("f", x, y)
    assert all(math.isfinite(b.woe) for b in fb.bins)
    _assert_strictly_monotone(fb)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 600), slope=st.floats(-3, 3),
       distinct=st.integers(2, 50))
def test_numeric_binning_is_always_monotone(seed, n, slope, distinct):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, distinct, n).astype(float)
    p = 1 / (1 + np.exp(-(slope * (x / distinct - 0.5) + rng.normal(0, 1, n))))
    y = (rng.random(n) < p).astype(int)
    y[0], y[1] = 0, 1
    fb = bin_numeric("f", x, y)
    if len(fb.ordered) > 1:
        _assert_strictly_monotone(fb)
    assert all(b.count >= 0.05 * n for b in fb.ordered) or len(fb.ordered) == 1


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 600), k=st.integers(2, 15))
def test_categorical_binning_is_always_monotone(seed, n, k):
    rng = np.random.default_rng(seed)
    cats = rng.integers(0, k, n)
    rates = rng.random(k)
    y = (rng.random(n) < rates[cats]).astype(int)
    y[0], y[1] = 0, 1
    fb = bin_categorical("f", [f"c{c}" for c in cats], y)
    if len(fb.ordered) > 1:
        _assert_strictly_monotone(fb)
