"""No protected attribute or proxy can ever be a scorecard input."""
from __future__ import annotations

import json

import numpy as np
import pytest

from services.credit.errors import ProtectedAttributeError
from services.credit.protected import check_features, is_protected
from services.credit.scorecard import Scorecard
from services.credit.training import Dataset, fit_scorecard

PROTECTED_NAMES = [
    # the German data's own protected columns
    "personal_status_and_sex", "age_in_years", "foreign_worker",
    # sex, age, ethnicity, religion, birthplace, health, social connections, in any spelling
    "sex", "Gender", "is_female", "userAge", "age_bucket", "date_of_birth", "birth_year", "dob",
    "ethnicity", "minzu_code", "race", "religion", "religious_holidays", "birthplace",
    "hukou_province", "native_place", "health_status", "has_disability", "marital_status",
    "wechat_friends", "social_graph_degree", "contacts_count", "follower_count".replace("follower", "followers"),
    "id_number_prefix", "resident_id_region", "home_province", "city_tier", "delivery_address_zip",
    "用户性别", "年龄段", "民族", "籍贯",
]

ALLOWED_NAMES = [
    "identity_verified", "account_age_days", "orders_completed_as_buyer",
    "orders_completed_as_seller", "cancellation_rate", "disputes_lost", "disputes_won",
    "review_average", "inspection_mismatch_rate", "clawbacks_unpaid", "pickups_kept",
    "pickup_no_show_rate", "wipe_certificate_compliance", "payment_failures", "chargebacks",
    "status_of_existing_checking_account", "duration_in_month", "credit_amount", "telephone",
    "present_employment_since", "housing",
]


@pytest.mark.parametrize("name", PROTECTED_NAMES)
def test_protected_names_are_refused(name):
    assert is_protected(name)
    with pytest.raises(ProtectedAttributeError) as err:
        check_features(["orders_completed_as_seller", name])
    assert name in str(err.value) and name in err.value.fields


@pytest.mark.parametrize("name", ALLOWED_NAMES)
def test_trade_behaviour_names_are_allowed(name):
    assert not is_protected(name)


def test_an_allowed_compound_does_not_hide_a_protected_neighbour():
    assert not is_protected("account_age_days")
    assert is_protected("account_age_and_age")
    assert is_protected("account_age_sex")


def test_training_refuses_a_protected_column_instead_of_dropping_it():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.3).astype(int)
    data = Dataset({"disputes_lost": rng.poisson(1, 200).astype(object),
                    "age_in_years": rng.integers(18, 70, 200).astype(object)},
                   {"disputes_lost": "numeric", "age_in_years": "numeric"}, y)
    with pytest.raises(ProtectedAttributeError, match="age_in_years"):
        fit_scorecard(data, "v-test")


def test_a_scorecard_document_with_a_protected_factor_is_refused(synthetic_data):
    card = fit_scorecard(synthetic_data, "v-test")
    doc = json.loads(card.to_json())
    doc["features"][0]["name"] = "gender"
    with pytest.raises(ProtectedAttributeError, match="gender"):
        Scorecard.from_dict(doc)
