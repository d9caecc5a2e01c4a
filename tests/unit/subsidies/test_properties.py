"""Properties of every quote over the shipped programmes (hypothesis)."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from subsidies import Catalogue, RequestError, load_programmes, quote

from tests.factories.subsidy_requests import CATALOGUE, appliance, car, digital

REGIONS = ["110105", "141100", "140105", "310115", "500103", "440305"]
APPLIANCES = ["refrigerator", "washing_machine", "television", "air_conditioner", "computer",
              "water_heater", "cooktop", "range_hood", "microwave_oven", "water_purifier",
              "dishwasher", "rice_cooker"]
DIGITAL = ["mobile_phone", "tablet", "smartwatch", "smart_glasses"]
REVERSED = Catalogue(reversed(load_programmes()))
CAPS = {(p.id, r.id): r.amount for p in CATALOGUE.programmes for r in p.rules}


def dates(start: str, end: str = "2027-03-31"):  # past the last programme: no_programme_in_force
    return st.dates(dt.date.fromisoformat(start), dt.date.fromisoformat(end)).map(dt.date.isoformat)


prices = st.integers(min_value=1, max_value=100_000_000)  # 1 fen .. 1 million yuan


@st.composite
def requests(draw, price=None):
    price_fen = draw(prices) if price is None else price
    yuan = price_fen / 100
    region = draw(st.sampled_from(REGIONS))
    line = draw(st.sampled_from(["appliance", "digital", "car"]))
    if line == "appliance":
        return appliance(draw(st.sampled_from(APPLIANCES)), yuan, draw(dates("2024-07-25")),
                         grade=draw(st.integers(1, 5)), region=region)
    if line == "digital":
        return digital(draw(st.sampled_from(DIGITAL)), yuan, draw(dates("2025-01-20")), region=region)
    return car(draw(dates("2024-04-24")), yuan, region=region,
               powertrain=draw(st.sampled_from(["bev", "phev", "gasoline", "hybrid"])),
               disposal=draw(st.sampled_from(["scrap", "transfer"])),
               old=draw(st.sampled_from(["gasoline", "diesel", "other_fuel", "bev"])),
               first_registration=draw(dates("2008-01-01", "2020-12-31")),
               owned_since=draw(dates("2010-01-01", "2025-06-30")),
               bare_price_yuan=yuan, transfer_date="2025-06-01", emission_standard="china_4",
               registered_in=region, old_registered_in=draw(st.sampled_from(["310115", "320102"])))


def with_price(body: dict, price_fen: int) -> dict:
    purchase = dict(body["purchase"], price_fen=price_fen)
    if purchase.get("bare_price_fen") is not None:
        purchase["bare_price_fen"] = price_fen
    return {**body, "purchase": purchase}


def amounts(body: dict) -> dict[tuple[str, str], int]:
    try:
        result = quote(body, CATALOGUE)
    except RequestError:
        return {}
    return {(line.programme, line.rule): line.amount_fen for line in result.lines}


@settings(max_examples=400, deadline=None)
@given(requests())
def test_never_negative_never_above_cap_or_price(body):
    try:
        result = quote(body, CATALOGUE)
    except RequestError as exc:  # every generated request is valid, whatever its date
        raise AssertionError(exc.as_dict()) from None
    price = body["purchase"]["price_fen"]
    assert 0 <= result.total_fen <= price
    for line in result.lines:
        amount = CAPS[(line.programme, line.rule)]
        most = amount.amount_fen if amount.type == "fixed" else amount.cap_fen
        assert 0 < line.amount_fen <= price
        assert most is None or line.amount_fen <= most


@settings(max_examples=300, deadline=None)
@given(requests(price=100_000), prices, prices)
def test_monotonic_in_price_up_to_the_cap(body, p1, p2):
    low, high = sorted((p1, p2))
    a_low, a_high = amounts(with_price(body, low)), amounts(with_price(body, high))
    for key, amount in a_low.items():
        if key in a_high:
            assert a_high[key] >= amount, key
            spec = CAPS[key]
            if spec.type == "rate" and spec.cap_fen is not None and amount == spec.cap_fen:
                assert a_high[key] == spec.cap_fen  # once capped, stays at the cap


@settings(max_examples=200, deadline=None)
@given(requests())
def test_deterministic(body):
    reversed_catalogue = REVERSED
    try:
        first = quote(body, CATALOGUE).as_dict()
    except RequestError as exc:
        try:
            quote(body, reversed_catalogue)
        except RequestError as again:
            assert again.as_dict() == exc.as_dict()
            return
        raise AssertionError("second run did not fail")
    assert quote(body, CATALOGUE).as_dict() == first
    assert quote(body, reversed_catalogue).as_dict() == first
