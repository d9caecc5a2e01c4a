"""Bad input: every rejection names the field the client must fix (the HTTP layer's 422)."""
from __future__ import annotations

import datetime as dt

import pytest

from subsidies import HistoryEntry, RequestError, parse_request, quote

from tests.factories.subsidy_requests import CATALOGUE, appliance, car, digital


def fields_of(body, **kw) -> set[str]:
    with pytest.raises(RequestError) as info:
        quote(body, CATALOGUE, **kw)
    return {e.field for e in info.value.errors}


def test_unknown_kind():
    assert fields_of(appliance("toaster", 300, "2025-03-01")) == {"purchase.kind"}


@pytest.mark.parametrize("region", ["99", "990000", "810000", "1411OO", 141100])
def test_unknown_region(region):
    body = appliance("television", 3000, "2025-03-01")
    body["region"] = region
    assert fields_of(body) == {"region"}


def test_region_checked_against_the_callers_table():
    body = appliance("television", 3000, "2025-03-01", region="141199")
    assert fields_of(body, region_exists=lambda code: code == "141100") == {"region"}


@pytest.mark.parametrize("price", [0, -100])
def test_price_must_be_positive(price):
    body = appliance("television", 3000, "2025-03-01")
    body["purchase"]["price_fen"] = price
    assert fields_of(body) == {"purchase.price_fen"}


@pytest.mark.parametrize("price", [300000.0, "300000", True])
def test_price_must_be_integer_fen(price):
    body = appliance("television", 3000, "2025-03-01")
    body["purchase"]["price_fen"] = price
    assert fields_of(body) == {"purchase.price_fen"}


def test_price_must_equal_list_minus_discounts():
    body = digital("mobile_phone", 3000, "2025-03-01", list_price_fen=350000, discounts_fen=40000)
    with pytest.raises(RequestError) as info:
        quote(body, CATALOGUE)
    assert info.value.as_dict() == {"purchase.price_fen": [
        "must equal list_price_fen - discounts_fen (310000)"]}


def test_list_price_without_discounts_must_equal_price():
    body = digital("mobile_phone", 3000, "2025-03-01", list_price_fen=300000)
    assert quote(body, CATALOGUE).total_fen == 45000


def test_date_outside_every_programme_is_a_valid_request():
    # The request is valid; the answer (no programme in force) is in the quote, not an error.
    for body in (appliance("television", 3000, "2023-05-01"), digital("mobile_phone", 3000, "2024-12-01")):
        result = quote(body, CATALOGUE)
        assert not result.eligible and result.ineligible[0].code == "no_programme_in_force"


@pytest.mark.parametrize("bad", ["2025-13-01", "01/06/2025", "2025-6-1", 20250601])
def test_bad_date(bad):
    assert fields_of(appliance("television", 3000, bad)) == {"date"}


def test_missing_fields_a_programme_needs():
    assert fields_of(appliance("television", 3000, "2025-03-01", grade=None)) == {"purchase.energy_grade"}
    body = car("2025-03-01", 150000)
    body["trade_in"]["disposal"] = None
    assert fields_of(body) == {"trade_in.disposal"}
    body = car("2025-03-01", 150000)
    body["purchase"]["powertrain"] = None
    assert "purchase.powertrain" in fields_of(body)
    body = car("2025-03-01", 150000, powertrain="gasoline")
    body["purchase"]["displacement_l"] = None
    assert fields_of(body) == {"purchase.displacement_l"}
    body = car("2025-03-01", 150000)
    body["trade_in"]["first_registration_date"] = None
    assert fields_of(body) == {"trade_in.first_registration_date"}


def test_the_error_says_which_programme_needs_the_field():
    with pytest.raises(RequestError) as info:
        quote(appliance("television", 3000, "2025-03-01", grade=None), CATALOGUE)
    assert "CN-2025-appliance" in info.value.errors[0].message


def test_unknown_and_malformed_fields_are_all_reported():
    body = appliance("television", 3000, "2025-03-01")
    body["purchase"]["colour"] = "red"
    body["purchase"]["energy_grade"] = 7
    body["trade_in"] = {"kind": "television", "handed_in": "yes"}
    body["history"] = [{"date": "2025-01-01"}]
    body["coupon"] = "X"
    assert fields_of(body) == {"purchase.colour", "purchase.energy_grade", "trade_in.handed_in",
                               "history.0.kind", "coupon"}


def test_required_top_level_fields():
    assert fields_of({"purchase": {"kind": "television"}}) == {"region", "purchase.price_fen"}
    assert fields_of({"region": "110105"}) == {"purchase"}
    assert fields_of([]) == {"body"}


def test_enum_values():
    body = car("2025-03-01", 150000, powertrain="steam")
    body["trade_in"]["emission_standard"] = "euro_6"
    body["trade_in"]["disposal"] = "burn"
    assert fields_of(body) == {"purchase.powertrain", "trade_in.emission_standard", "trade_in.disposal"}


def test_date_defaults_to_today_in_china_and_application_date_to_date():
    body = appliance("television", 3000, "2025-03-01")
    del body["date"]
    req = parse_request(body, today=dt.date(2025, 6, 1))
    assert req.date == dt.date(2025, 6, 1)
    assert req.values["application_date"] == dt.date(2025, 6, 1)
    assert quote(body, CATALOGUE, today=dt.date(2025, 6, 1)).total_fen == 60000


def test_caller_history_counts_towards_limits():
    body = digital("mobile_phone", 3000, "2025-06-01")
    known = [HistoryEntry(dt.date(2025, 2, 1), "mobile_phone")]
    result = quote(body, CATALOGUE, known)
    assert not result.eligible
    assert result.ineligible[0].code == "PER_PERSON_LIMIT_REACHED"


def test_closed_budget_is_said_in_the_quote():
    result = quote(appliance("television", 3000, "2025-03-01"), CATALOGUE,
                   closed={"CN-2025-appliance"})
    assert not result.eligible
    refusal = next(r for r in result.ineligible if r.programme == "CN-2025-appliance")
    assert refusal.code == "BUDGET_CLOSED"
    assert "资金" in refusal.zh and "budget" in refusal.en
