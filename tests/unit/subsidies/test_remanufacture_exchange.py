"""以旧换再 (CN-2015-remanufacture-exchange): hand-computed cases from the 2015 pilot's rule.

Rule (../shared/domain/remanufacturing.md §2.1, sources R1-R3 in the programme file): the subsidy
is 10 % of the exchange price (置换价 = the remanufactured part's price minus the old part's
recovery price), at most 2,000 yuan per engine and 1,000 yuan per gearbox; the exchange price at
most 60 % of the new part's; warranty not shorter than the new part's; a CMA test report; a pilot
catalogue model; the old part handed in. Every amount below was worked out by hand.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from subsidies import Catalogue, RequestError, load_programmes, quote

from tests.factories.subsidy_requests import CATALOGUE

PID = "CN-2015-remanufacture-exchange"
SWITCHED_ON = Catalogue([dataclasses.replace(p, enabled=True) if p.id == PID else p
                         for p in CATALOGUE.programmes + CATALOGUE.disabled])


def part(kind="car_engine", price=18000, core=3000, new=30000, *, date="2016-03-01", warranty=24,
         new_warranty=24, report=True, listed=True, remanufactured=True, handed_in=True,
         old_kind=None, trade_in=True, price_fen=None):
    body = {"region": "370702", "date": date,
            "purchase": {"kind": kind, "price_fen": price_fen or price * 100, "remanufactured": remanufactured,
                         "new_price_fen": new * 100, "warranty_months": warranty,
                         "new_warranty_months": new_warranty, "has_cma_test_report": report,
                         "in_remanufacturing_pilot_catalogue": listed}}
    if trade_in:
        body["trade_in"] = {"kind": old_kind or kind, "handed_in": handed_in,
                            "core_recovery_price_fen": None if core is None else core * 100}
    return body


# (case id, what the hand computation says, request, expected: (rule, amount_fen, line code) or refusal code)
CASES = [
    ("doc-example", "18,000 - 3,000 = 15,000 (50 % of 30,000); 10 % = 1,500",
     part(), ("engine", 150000, "RATE")),
    ("engine-cap", "30,000 - 5,000 = 25,000 (50 %); 10 % = 2,500 > cap 2,000",
     part(price=30000, core=5000, new=50000), ("engine", 200000, "RATE_CAPPED")),
    ("engine-at-cap", "25,000 - 5,000 = 20,000 (40 %); 10 % = 2,000 exactly",
     part(price=25000, core=5000, new=50000), ("engine", 200000, "RATE")),
    ("gearbox", "8,000 - 1,000 = 7,000 (46.7 % of 15,000); 10 % = 700",
     part("car_gearbox", 8000, 1000, 15000), ("gearbox", 70000, "RATE")),
    ("gearbox-cap", "16,000 - 2,000 = 14,000 (56 % of 25,000); 10 % = 1,400 > cap 1,000",
     part("car_gearbox", 16000, 2000, 25000), ("gearbox", 100000, "RATE_CAPPED")),
    ("sixty-pct-exactly", "21,000 - 3,000 = 18,000 = 60 % of 30,000 (allowed); 10 % = 1,800",
     part(price=21000), ("engine", 180000, "RATE")),
    ("over-sixty-pct", "21,100 - 3,000 = 18,100 = 60.33 % of 30,000",
     part(price=21100), "EXCHANGE_PRICE_TOO_HIGH"),
    ("rounding-half-up", "1,800,005 - 300,000 fen = 1,500,005; 10 % = 150,000.5 -> 150,001 fen",
     part(price_fen=1800005), ("engine", 150001, "RATE")),
    ("core-worth-more", "core 20,000 > price 18,000: exchange price 0, nothing to pay",
     part(core=20000), "AMOUNT_ZERO"),
    ("warranty-shorter", "12 months against a new part's 24",
     part(warranty=12), "WARRANTY_SHORTER_THAN_NEW"),
    ("warranty-longer", "36 months against 24 is fine",
     part(warranty=36), ("engine", 150000, "RATE")),
    ("no-test-report", "no CMA report", part(report=False), "TEST_REPORT_REQUIRED"),
    ("test-report-unknown", "report not stated counts as absent", part(report=None), "TEST_REPORT_REQUIRED"),
    ("not-pilot-model", "model not on the pilot list", part(listed=False), "NOT_IN_REMANUFACTURING_CATALOGUE"),
    ("not-remanufactured", "a new or used part is not 以旧换再", part(remanufactured=False), "NOT_REMANUFACTURED"),
    ("old-part-kept", "old engine not handed in", part(handed_in=False), "NOT_HANDED_IN"),
    ("no-old-part", "nothing traded in", part(trade_in=False), "NOT_HANDED_IN"),
    ("wrong-old-part", "an old gearbox for a remanufactured engine", part(old_kind="car_gearbox"),
     "TRADE_IN_KIND_MISMATCH"),
]


@pytest.mark.parametrize("body,expected", [c[2:] for c in CASES], ids=[c[0] for c in CASES])
def test_hand_computed(body, expected):
    result = quote(body, SWITCHED_ON)
    if isinstance(expected, tuple):
        rule, amount, code = expected
        [line] = result.lines
        assert (line.programme, line.rule, line.amount_fen, line.code) == (PID, rule, amount, code)
    else:
        assert not result.lines
        [refusal] = [r for r in result.ineligible if r.programme == PID]
        assert refusal.code == expected
        assert refusal.file == "cn-2015-remanufacture-exchange.toml" and refusal.source is not None


def test_missing_core_price_names_the_field():
    with pytest.raises(RequestError) as exc:
        quote(part(core=None), SWITCHED_ON)
    assert "trade_in.core_recovery_price_fen" in exc.value.as_dict()


def test_refusal_explains_the_share_in_words():
    [refusal] = quote(part(price=21100), SWITCHED_ON).ineligible
    assert "60.3%" in refusal.en and "60%" in refusal.en and "60.3%" in refusal.zh


def test_shipped_file_is_off_by_default():
    assert PID in CATALOGUE.by_id and PID not in {p.id for p in CATALOGUE.programmes}
    result = quote(part(), CATALOGUE)
    assert not result.lines and result.ineligible[0].code == "no_programme_in_force"


def test_outside_the_pilot_window():
    result = quote(part(date="2018-01-01"), SWITCHED_ON)
    assert not result.lines


LOCAL = '''
id = "SD-2026-remanufacture-exchange"
version = 1
name = { zh = "山东再制造以旧换再(示例)", en = "Shandong remanufactured-parts exchange (example)" }
level = "local"
jurisdiction = "37"
categories = ["auto_part"]
kinds = ["car_engine"]
implements = "CN-2015-remanufacture-exchange"
[window]
start = 2026-01-01
end = 2026-12-31
[[conditions]]
field = "purchase.exchange_share_of_new"
op = "le"
value = "0.60"
code = "EXCHANGE_PRICE_TOO_HIGH"
[[rules]]
id = "engine"
label = { zh = "再制造发动机", en = "remanufactured engine" }
implements_rule = "engine"
amount = { type = "rate", rate = "0.05", base = "purchase.exchange_price_fen", cap_fen = 150000 }
[[sources]]
ref = "L1"
title = "a region's own notice"
url = "https://example.org/notice"
'''


def test_a_region_switches_on_its_own_version_with_a_file(tmp_path: Path):
    shipped = Path(__file__).parents[3] / "subsidies" / "policies" / "cn-2015-remanufacture-exchange.toml"
    (tmp_path / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sd.toml").write_text(LOCAL, encoding="utf-8")
    catalogue = Catalogue(load_programmes(tmp_path))
    # 5 % of 15,000 = 750 in Shandong; the national file stays off.
    [line] = quote(part(date="2026-05-01"), catalogue).lines
    assert (line.programme, line.amount_fen) == ("SD-2026-remanufacture-exchange", 75000)
    assert not quote(dict(part(date="2026-05-01"), region="110105"), catalogue).lines


def test_a_local_version_may_not_exceed_the_national_cap(tmp_path: Path):
    shipped = Path(__file__).parents[3] / "subsidies" / "policies" / "cn-2015-remanufacture-exchange.toml"
    (tmp_path / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sd.toml").write_text(LOCAL.replace("cap_fen = 150000", "cap_fen = 250000"), encoding="utf-8")
    with pytest.raises(Exception, match="national cap"):
        load_programmes(tmp_path)
