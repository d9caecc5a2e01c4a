"""POST /api/v1/subsidies/quote: the contract, bad input as 422 naming the field, closed pools."""
from __future__ import annotations

import copy

import pytest

from tests.factories.subsidies import open_pool, phone_quote, record_sale, reserve_sale, resident_id

CONTRACT = {
    "region": "141100",
    "date": "2025-06-01",
    "application_date": "2025-06-05",
    "purchase": {
        "kind": "air_conditioner", "price_fen": 300000, "list_price_fen": 350000, "discounts_fen": 50000,
        "energy_grade": 1, "water_grade": None, "powertrain": None, "displacement_l": None,
        "in_purchase_tax_exemption_catalog": None, "bare_price_fen": None, "registration_date": None,
        "registered_in": None,
    },
    "trade_in": {
        "kind": "air_conditioner", "handed_in": True, "disposal": None, "powertrain": None,
        "emission_standard": None, "first_registration_date": None, "registered_to_applicant_since": None,
        "registered_in": None, "scrap_certificate_date": None, "deregistration_date": None, "transfer_date": None,
    },
    "history": [{"date": "2025-03-01", "kind": "air_conditioner", "scheme": None, "amount_fen": 60000}],
}


def quote(client, body, headers=None):
    return client.post("/api/v1/subsidies/quote", json=body, headers=headers or {})


@pytest.mark.smoke
def test_contract_example(client):
    r = quote(client, CONTRACT)
    assert r.status_code == 200, r.json
    assert r.json["eligible"] is True and r.json["total_fen"] == 60000
    [line] = r.json["lines"]
    assert {k: line[k] for k in ("programme", "rule", "amount_fen", "basis_fen")} == {
        "programme": "CN-2025-appliance", "rule": "grade-1", "amount_fen": 60000, "basis_fen": 300000}
    assert line["code"] == "RATE" and "20%" in line["explanation"]["en"] and "补贴" in line["explanation"]["zh"]
    assert r.json["ineligible"] == []


def test_refusals_name_programme_rule_code_and_explain(client):
    body = copy.deepcopy(CONTRACT)
    body["purchase"]["energy_grade"] = 3
    r = quote(client, body)
    assert r.status_code == 200
    assert r.json["eligible"] is False and r.json["total_fen"] == 0
    [refusal] = r.json["ineligible"]
    assert refusal["programme"] == "CN-2025-appliance" and refusal["code"] == "GRADE_TOO_LOW"
    assert refusal["explanation"]["zh"] and refusal["explanation"]["en"]


def _mut(path, value):
    def apply(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return apply


@pytest.mark.parametrize("mutate,field", [
    (_mut(["purchase", "kind"], "toaster"), "purchase.kind"),
    (_mut(["region"], "999999"), "region"),
    (_mut(["region"], "141199"), "region"),
    (_mut(["region"], "1411"), "region"),
    (_mut(["purchase", "price_fen"], 0), "purchase.price_fen"),
    (_mut(["purchase", "price_fen"], -5), "purchase.price_fen"),
    (_mut(["purchase", "price_fen"], 3000.5), "purchase.price_fen"),
    (_mut(["purchase", "price_fen"], 310000), "purchase.price_fen"),   # list - discounts = 300000
    (_mut(["date"], "2025-02-30"), "date"),
    (_mut(["purchase", "energy_grade"], None), "purchase.energy_grade"),  # the rate depends on it
    (_mut(["purchase", "energy_grade"], 9), "purchase.energy_grade"),
    (_mut(["purchase", "colour"], "white"), "purchase.colour"),
    (_mut(["trade_in", "disposal"], "burn"), "trade_in.disposal"),
    (_mut(["purchase"], KeyError), "purchase"),
    (_mut(["history"], [{"date": "2025-01-01"}]), "history.0.kind"),
])
def test_bad_input_is_422_naming_the_field(client, mutate, field):
    body = copy.deepcopy(CONTRACT)
    mutate(body)
    r = quote(client, body)
    assert r.status_code == 422, r.json
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.json["errors"], r.json


def test_car_quote_needs_the_fields_its_programme_needs(client):
    body = {"region": "110105", "date": "2025-03-01",
            "purchase": {"kind": "passenger_car", "price_fen": 15000000, "powertrain": "bev",
                         "in_purchase_tax_exemption_catalog": True},
            "trade_in": {"kind": "passenger_car", "disposal": "scrap", "powertrain": "gasoline"}}
    r = quote(client, body)
    assert r.status_code == 422
    assert "trade_in.first_registration_date" in r.json["errors"]
    body["trade_in"].update(first_registration_date="2010-01-01", registered_to_applicant_since="2012-01-01")
    r = quote(client, body)
    assert r.status_code == 200 and r.json["total_fen"] == 2000000


def test_a_closed_pool_is_said_in_the_quote(client, operator):
    pool = open_pool(client, operator, "CN-2025-appliance", "140000", 1_000_000)
    assert quote(client, CONTRACT).json["total_fen"] == 60000
    r = client.patch(f"/api/v1/subsidies/pools/{pool['id']}", json={"closed": True, "reason": "funds spent"},
                     headers=operator.headers)
    assert r.status_code == 200 and r.json["closed"] is True
    r = quote(client, CONTRACT)
    assert r.json["eligible"] is False
    assert [x["code"] for x in r.json["ineligible"]] == ["BUDGET_CLOSED"]
    # Outside the pool's region the programme still pays.
    other = copy.deepcopy(CONTRACT)
    other["region"] = "110105"
    assert quote(client, other).json["total_fen"] == 60000


def test_authenticated_buyer_history_counts(client, session, operator, retailer):
    from tests.factories.accounts import make_user
    id_number = resident_id()
    buyer = make_user(session, "consumer", verified_id=id_number)
    open_pool(client, operator, "CN-2025-digital", "110000", 1_000_000)
    sale = record_sale(client, retailer, quote=phone_quote(), buyer=id_number)
    assert reserve_sale(client, retailer, sale["id"]).status_code == 201
    body = phone_quote(date="2025-09-01")
    assert quote(client, body).json["total_fen"] == 45000            # anonymous: nothing known
    r = quote(client, body, headers=buyer.headers)                    # the buyer: their phone counts
    assert r.json["eligible"] is False
    assert r.json["ineligible"][0]["code"] == "PER_PERSON_LIMIT_REACHED"


def test_programmes_are_listed_with_sources(client):
    r = client.get("/api/v1/subsidies/programmes")
    assert r.status_code == 200
    ids = {p["id"] for p in r.json}
    assert {"CN-2025-appliance", "SH-2025-vehicle-replacement", "SX-2026-appliance-digital"} <= ids
    assert all(p["sources"] and p["name"]["zh"] for p in r.json)


def test_bad_token_is_401_even_on_the_public_quote(client):
    r = quote(client, CONTRACT, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_lint_command(app, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["subsidies", "lint"])
    assert ok.exit_code == 0 and "ok" in ok.output
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "X"\nversion = 1\n', encoding="utf-8")
    result = runner.invoke(args=["subsidies", "lint", str(bad)])
    assert result.exit_code == 1
    assert "bad.toml: name: is required" in result.output
