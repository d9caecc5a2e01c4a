"""The price model: base x condition multipliers x age depreciation (+ campaign bonus), with
reasons in Chinese and English."""
from decimal import Decimal

import pytest

from services.tradeins import pricing

PHONE = {"powers_on": True, "screen": "flawless", "body": "flawless", "battery_health_pct": 95,
         "activation_lock_off": True}


def value(answers=None, **kw):
    args = dict(category="electronics", label="Apple iPhone 13", base_fen=300000, answers=answers or PHONE,
                age_months=0)
    args.update(kw)
    return pricing.value(**args)


def test_pristine_and_new_is_the_base_price():
    v = value()
    assert v.amount_fen == 300000
    assert [ln.code for ln in v.lines] == ["base", "screen", "body", "battery_health_pct", "age", "rounding", "total"]
    assert v.lines[0].zh == "基础价（Apple iPhone 13）：¥3,000.00" and v.lines[-1].en == "Trade-in value: ¥3,000.00"


def test_multipliers_compound_and_the_running_value_is_shown():
    v = value({**PHONE, "screen": "heavy_scratches", "body": "dents", "battery_health_pct": 75})
    # 3000 x 0.80 x 0.85 x 0.88 = 1795.20
    assert [ln.running_fen for ln in v.lines[1:4]] == [240000, 204000, 179520]
    assert v.amount_fen == 179500
    assert v.lines[3].en == "Battery health (%): 75 ×0.88"


def test_a_phone_that_does_not_start_is_parts_and_its_battery_is_not_judged():
    v = value({**PHONE, "powers_on": False, "battery_health_pct": 10})
    assert [ln.code for ln in v.lines][:4] == ["base", "powers_on", "screen", "body"]
    assert v.amount_fen == 45000


@pytest.mark.parametrize("months,factor", [(0, "1"), (12, "0.7000"), (24, "0.4900"), (6, "0.8367"), (120, "0.1000")])
def test_age_depreciation_compounds_monthly_down_to_a_floor(months, factor):
    assert pricing.age_factor("electronics", months) == Decimal(factor)


def test_bonus_is_added_after_rounding_and_named():
    v = value(age_months=7, bonus_fen=20000, bonus_label="京东焕新季")
    rounding = next(ln for ln in v.lines if ln.code == "rounding")
    assert rounding.running_fen % 100 == 0
    bonus = next(ln for ln in v.lines if ln.code == "campaign_bonus")
    assert bonus.zh == "京东焕新季加价 +¥200.00" and bonus.amount_fen == 20000
    assert v.amount_fen == rounding.running_fen + 20000


def test_vehicle_and_appliance_factors():
    car = pricing.value(category="vehicle", label="VW Lavida", base_fen=9000000, age_months=0,
                        answers={"mileage_km": 210000, "accident_history": "flood_or_fire", "emission_standard": "china_4"})
    assert [ln.factor for ln in car.lines[1:4]] == ["0.60", "0.40", "0.75"]
    assert car.amount_fen == 1620000
    assert "泡水或火烧" in car.lines[2].zh and "国四" in car.lines[3].zh
    fridge = pricing.value(category="appliance", label="Haier", base_fen=180000, age_months=0,
                           answers={"works": "not_working", "damage": "major"})
    assert fridge.amount_fen == 16200  # 1800 x 0.15 x 0.6


def test_yuan_formatting():
    assert pricing.yuan(123456789) == "¥1,234,567.89" and pricing.yuan(-5) == "-¥0.05"
