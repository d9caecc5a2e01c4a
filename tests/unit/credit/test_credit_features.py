from __future__ import annotations

import dataclasses
import inspect
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from services.credit import features
from services.credit.features import AccountFacts, extract, floored_rate, is_thin_file, tally
from services.credit.privileges import DEFAULT_PRIVILEGES_FILE, PrivilegePolicy, load_policy
from services.credit.protected import check_features, is_protected
from services.credit.reasons import CATALOGUE, FEATURE_REASONS
from services.credit.scorecard import DEFAULT_BANDS, load_scorecard
from services.credit.errors import ScorecardError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class Ev:
    kind: str
    occurred_at: datetime = NOW - timedelta(days=10)
    value: int | None = None


def facts(days=400, verified=True):
    return AccountFacts(identity_verified=verified, opened_at=NOW - timedelta(days=days))


def test_the_extractor_reads_trade_behaviour_only():
    # The account facts it may see are exactly these two; every factor it returns passes the
    # protected-attribute deny-list.
    assert [f.name for f in dataclasses.fields(AccountFacts)] == ["identity_verified", "opened_at"]
    assert list(inspect.signature(features.features_from).parameters) == ["account", "t", "now", "bureau_score"]
    out = extract(facts(), [Ev("order_completed_buyer")], NOW)
    assert list(out) == list(features.FEATURE_NAMES)
    check_features(out)
    assert not any(is_protected(n) for n in features.FEATURE_NAMES)


def test_every_factor_has_a_stable_reason_code_with_both_languages():
    assert set(FEATURE_REASONS) == set(features.FEATURE_NAMES)
    for code in FEATURE_REASONS.values():
        e = CATALOGUE[code]
        assert e.en and e.zh and e.hint_en and e.hint_zh
    card = load_scorecard("default-v1")
    assert {f.name: f.reason.code for f in card.features}.items() <= FEATURE_REASONS.items()


def test_count_floors_forgive_the_first_case_and_floor_the_denominator():
    assert floored_rate(1, 3) == 0.0
    assert floored_rate(2, 3) == pytest.approx(2 / 20)
    assert floored_rate(10, 200) == pytest.approx(0.05)
    assert floored_rate(5, 2) == pytest.approx(5 / 20)  # the floor holds even past the total


def test_rates_are_observed_even_for_a_thin_file_and_a_negative_record_does_not_end_it():
    out = extract(facts(days=5, verified=False), [Ev("order_completed_buyer")], NOW)
    assert out["cancellation_rate"] == 0.0 and out["dispute_loss_rate"] == 0.0
    assert out["trades_completed"] == 1 and out["identity_verified"] == "no" and out["account_age_days"] == 5
    # No pickups and no certificates: nothing to rate yet.
    assert out["pickup_no_show_rate"] is None and out["wipe_refusal_rate"] is None
    # A negative record keeps the thin-file cap: a bad record is not a track record.
    events = [Ev("order_completed_buyer"), Ev("inspection_mismatch")]
    assert is_thin_file(tally(events, NOW))
    assert not is_thin_file(tally([Ev("order_completed_buyer")] * 3, NOW))


def test_late_cancellations_count_as_missed_pickups_and_revocations_as_noncompliant():
    out = extract(facts(days=5), [Ev("pickup_kept")] * 18 + [Ev("pickup_no_show"), Ev("pickup_cancelled_late")], NOW)
    assert out["pickup_no_show_rate"] == pytest.approx(2 / 20)
    out = extract(facts(days=5), [Ev("wipe_certificate_ok")] * 19 + [Ev("wipe_certificate_refused"),
                                                                      Ev("wipe_certificate_revoked")], NOW)
    assert out["wipe_refusal_rate"] == pytest.approx(2 / 20)


def test_negative_records_expire_after_five_years_positive_ones_do_not():
    old = NOW - timedelta(days=5 * 365 + 5)
    evs = [Ev("order_completed_seller", old)] * 5 + [Ev("chargeback", old), Ev("chargeback"),
                                                      Ev("review_received", old, 1), Ev("review_received", old, 5)]
    out = extract(facts(3000), evs, NOW)
    assert out["trades_completed"] == 5
    assert out["chargebacks"] == 1
    # The old one-star review is gone, the old five-star one stays (shrunk towards 4.5).
    assert out["review_average"] == pytest.approx((5 + 4.5 * 5) / 6, abs=1e-3)


def test_voided_records_do_not_count():
    @dataclass
    class Voided(Ev):
        voided_at: datetime | None = NOW
    out = extract(facts(), [Voided("chargeback"), Ev("chargeback")], NOW)
    assert out["chargebacks"] == 1


def test_privilege_policy_covers_every_band_and_rejects_bad_documents(tmp_path):
    policy = load_policy()
    assert set(policy.bands) == {b.name for b in DEFAULT_BANDS}
    assert policy.for_band("poor").manual_review_new_listings is True
    assert policy.for_band("good").tradein_prepayment is True  # Xianyu-style from 600 up
    limits = [policy.for_band(b.name).listing_limit for b in DEFAULT_BANDS]
    prepay = [policy.for_band(b.name).tradein_prepayment_limit_fen for b in DEFAULT_BANDS]
    assert limits == sorted(limits) and prepay == sorted(prepay)
    doc = json.loads(DEFAULT_PRIVILEGES_FILE.read_text())
    doc["bands"]["poor"]["listing_limit"] = -1
    with pytest.raises(ScorecardError, match="negative"):
        PrivilegePolicy.from_dict(doc)
    del doc["bands"]["poor"]["listing_limit"]
    with pytest.raises(ScorecardError, match="expected keys"):
        PrivilegePolicy.from_dict(doc)
    custom = tmp_path / "p.json"
    doc = json.loads(DEFAULT_PRIVILEGES_FILE.read_text())
    doc["bands"]["fair"]["listing_limit"] = 12
    custom.write_text(json.dumps(doc))
    assert load_policy(str(custom)).for_band("fair").listing_limit == 12
