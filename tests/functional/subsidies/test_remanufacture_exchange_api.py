"""以旧换再 through the API: off by default; a region switches it on with its own file, and then
quotes, till sales, reservations and reimbursement claims work as for any programme."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import subsidies.loader as loader
from services.subsidies import catalogue as cat_mod
from tests.factories.subsidies import sale_payload
from tests.factories.subsidies import open_pool, reserve_sale

LOCAL_ID = "SD-2026-remanufacture-exchange"
LOCAL = '''
id = "SD-2026-remanufacture-exchange"
version = 1
name = { zh = "山东再制造以旧换再(测试)", en = "Shandong remanufactured-parts exchange (test)" }
level = "local"
jurisdiction = "37"
categories = ["auto_part"]
kinds = ["car_engine", "car_gearbox"]
implements = "CN-2015-remanufacture-exchange"
[window]
start = 2026-01-01
end = 2026-12-31
[[conditions]]
field = "purchase.exchange_share_of_new"
op = "le"
value = "0.60"
code = "EXCHANGE_PRICE_TOO_HIGH"
[[conditions]]
field = "purchase.warranty_at_least_new"
op = "eq"
value = true
code = "WARRANTY_SHORTER_THAN_NEW"
[[rules]]
id = "engine"
label = { zh = "再制造发动机", en = "remanufactured engine" }
implements_rule = "engine"
when = [{ field = "purchase.kind", op = "eq", value = "car_engine" }]
amount = { type = "rate", rate = "0.10", base = "purchase.exchange_price_fen", cap_fen = 200000 }
[[rules]]
id = "gearbox"
label = { zh = "再制造变速箱", en = "remanufactured gearbox" }
implements_rule = "gearbox"
when = [{ field = "purchase.kind", op = "eq", value = "car_gearbox" }]
amount = { type = "rate", rate = "0.10", base = "purchase.exchange_price_fen", cap_fen = 100000 }
[[sources]]
ref = "L1"
title = "a region's own notice (test)"
url = "https://example.org/notice"
'''


def engine(price_fen=1800000, core_fen=300000, warranty=24, date="2026-05-10"):
    return {"region": "370702", "date": date,
            "purchase": {"kind": "car_engine", "price_fen": price_fen, "remanufactured": True,
                         "new_price_fen": 3000000, "warranty_months": warranty, "new_warranty_months": 24},
            "trade_in": {"kind": "car_engine", "handed_in": True, "core_recovery_price_fen": core_fen}}


@pytest.fixture
def shandong_on(tmp_path, monkeypatch):
    """The shipped programme files plus a Shandong file switching 以旧换再 on (no code change)."""
    for f in loader.POLICY_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "sd-2026-remanufacture-exchange.toml").write_text(LOCAL, encoding="utf-8")
    monkeypatch.setattr(loader, "POLICY_DIR", Path(tmp_path))
    cat_mod.catalogue.cache_clear()
    yield
    cat_mod.catalogue.cache_clear()


def quote(client, body):
    return client.post("/api/v1/subsidies/quote", json=body)


def test_off_by_default(client):
    r = quote(client, engine())
    assert r.status_code == 200, r.json
    assert r.json["eligible"] is False and r.json["ineligible"][0]["code"] == "no_programme_in_force"


def test_quote_once_a_region_switches_it_on(client, shandong_on):
    r = quote(client, engine())
    assert r.status_code == 200, r.json
    [line] = r.json["lines"]   # 10 % of (18,000 - 3,000) = 1,500 yuan
    assert (line["programme"], line["rule"], line["amount_fen"], line["basis_fen"]) == (LOCAL_ID, "engine", 150000, 1500000)
    r = quote(client, engine(warranty=12))
    assert r.json["eligible"] is False and r.json["ineligible"][0]["code"] == "WARRANTY_SHORTER_THAN_NEW"
    r = quote(client, engine(price_fen=2200000))   # 19,000 of 30,000 = 63.3 %
    assert r.json["ineligible"][0]["code"] == "EXCHANGE_PRICE_TOO_HIGH"
    assert "63.3%" in r.json["ineligible"][0]["explanation"]["en"]


def test_missing_old_part_price_is_422_naming_it(client, shandong_on):
    body = engine()
    body["trade_in"]["core_recovery_price_fen"] = None
    r = quote(client, body)
    assert r.status_code == 422 and "trade_in.core_recovery_price_fen" in r.json["errors"], r.json


def test_sale_reservation_and_claim(client, retailer, operator, shandong_on):
    open_pool(client, operator, LOCAL_ID, "370000", 10_000_000)
    body = sale_payload(quote=engine(), brand="潍柴", model="WP10-R", device_id="ENG-0042-XYZ")
    r = client.post("/api/v1/subsidies/sales", json=body, headers=retailer.headers)
    assert r.status_code == 201, r.json
    r = reserve_sale(client, retailer, r.json["id"])
    assert r.status_code == 201, r.json
    assert r.json["total_fen"] == 150000 and r.json["lines"][0]["programme"] == LOCAL_ID
    rid = r.json["id"]
    assert client.post(f"/api/v1/subsidies/reservations/{rid}/redeem", headers=retailer.headers).status_code == 200
    r = client.post("/api/v1/claims", json={"programme": LOCAL_ID, "period_start": "2026-05-01",
                                            "period_end": "2026-05-31"}, headers=retailer.headers)
    assert r.status_code == 201, r.json
    assert (r.json["items_count"], r.json["total_fen"]) == (1, 150000)
