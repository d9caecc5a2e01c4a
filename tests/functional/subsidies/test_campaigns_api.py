"""Retailer campaigns: created by retailers, quoted with retailer_id, stacked with the
government subsidy as configured, reserved and redeemed like subsidies."""
from __future__ import annotations

import pytest

from tests.factories.accounts import make_user
from tests.factories.subsidies import ac_quote, record_sale, reserve_sale


def campaign_body(**over):
    body = {"name": "空调以旧换新季", "starts_on": "2025-05-01", "ends_on": "2025-08-31", "regions": ["140000"],
            "kinds": ["air_conditioner"], "bonuses": {"air_conditioner": 30000, "television": 20000},
            "requires_handed_in": True, "stacking": "discount", "budget_fen": 60000}
    body.update(over)
    return body


def create(client, retailer, **over):
    r = client.post("/api/v1/campaigns", json=campaign_body(**over), headers=retailer.headers)
    assert r.status_code == 201, r.json
    return r.json


def quote(client, body, retailer_org):
    return client.post("/api/v1/subsidies/quote", json={**body, "retailer_id": str(retailer_org)}).json


def test_discount_stacking_lowers_the_subsidy_base(client, retailer):
    c = create(client, retailer)
    q = quote(client, ac_quote(), retailer.org_id)
    assert [(x["programme"], x["amount_fen"], x["basis_fen"]) for x in q["lines"]] == [
        (f"campaign:{c['id']}", 30000, 300000),
        ("CN-2025-appliance", 54000, 270000)]         # 20% of 3,000 - 300 bonus
    assert q["lines"][0]["code"] == "CAMPAIGN_BONUS" and q["total_fen"] == 84000
    # Without the retailer the quote is the government's alone.
    assert client.post("/api/v1/subsidies/quote", json=ac_quote()).json["total_fen"] == 60000


def test_cross_category_bonus(client, retailer):
    create(client, retailer)
    q = quote(client, ac_quote(old_kind="television"), retailer.org_id)
    assert [x["amount_fen"] for x in q["lines"]] == [20000, 56000]
    assert q["lines"][0]["rule"] == "bonus:television"


@pytest.mark.parametrize("trade_in,code", [
    ({"kind": "refrigerator", "handed_in": True}, "TRADE_IN_KIND_MISMATCH"),
    ({"kind": "air_conditioner", "handed_in": False}, "NOT_HANDED_IN"),
    (None, "NOT_HANDED_IN"),
])
def test_campaign_refusals(client, retailer, trade_in, code):
    c = create(client, retailer)
    body = ac_quote()
    body["trade_in"] = trade_in
    q = quote(client, body, retailer.org_id)
    assert q["total_fen"] == 60000
    [refusal] = [x for x in q["ineligible"] if x["programme"] == f"campaign:{c['id']}"]
    assert refusal["code"] == code and refusal["explanation"]["zh"] and refusal["explanation"]["en"]


def test_exclusive_campaign_pays_only_without_a_government_subsidy(client, retailer):
    create(client, retailer, stacking="exclusive")
    q = quote(client, ac_quote(), retailer.org_id)
    assert q["total_fen"] == 60000 and q["ineligible"][-1]["code"] == "EXCLUSIVE_WITH"
    q = quote(client, ac_quote(grade=3), retailer.org_id)
    assert [x["amount_fen"] for x in q["lines"]] == [30000]


def test_campaign_outside_its_window_region_or_kinds_is_silent(client, retailer):
    create(client, retailer)
    for body in (ac_quote(date="2025-09-01"), ac_quote(region="110105")):
        q = quote(client, body, retailer.org_id)
        assert q["total_fen"] == 60000 and not any(x["programme"].startswith("campaign:") for x in q["ineligible"])


@pytest.mark.smoke
def test_reserved_and_redeemed_like_subsidies(client, retailer, operator, appliance_pool):
    c = create(client, retailer)
    rids = []
    for day in ("2025-06-01", "2025-06-02"):
        sale = record_sale(client, retailer, quote=ac_quote(date=day))
        r = reserve_sale(client, retailer, sale["id"])
        assert r.status_code == 201, r.json
        assert [(x["programme"], x["amount_fen"]) for x in r.json["lines"]] == [
            ("campaign", 30000), ("CN-2025-appliance", 54000)]
        rids.append(r.json["id"])
    got = client.get(f"/api/v1/campaigns/{c['id']}").json
    assert (got["reserved_fen"], got["redeemed_fen"]) == (60000, 0)
    client.post(f"/api/v1/subsidies/reservations/{rids[0]}/redeem", headers=retailer.headers)
    got = client.get(f"/api/v1/campaigns/{c['id']}").json
    assert (got["reserved_fen"], got["redeemed_fen"]) == (30000, 30000)
    # The budget is spent: the next sale gets the government subsidy alone, on the full price.
    q = quote(client, ac_quote(), retailer.org_id)
    assert q["total_fen"] == 60000 and q["ineligible"][-1]["code"] == "BUDGET_CLOSED"
    third = record_sale(client, retailer, quote=ac_quote(date="2025-06-03"))
    r = reserve_sale(client, retailer, third["id"])
    assert [x["programme"] for x in r.json["lines"]] == ["CN-2025-appliance"]
    client.post(f"/api/v1/subsidies/reservations/{rids[1]}/release", headers=retailer.headers)
    assert client.get(f"/api/v1/campaigns/{c['id']}").json["reserved_fen"] == 0


def test_campaign_authorisation_and_updates(client, session, consumer, retailer):
    assert client.post("/api/v1/campaigns", json=campaign_body(), headers=consumer.headers).status_code == 403
    assert client.post("/api/v1/campaigns", json=campaign_body()).status_code == 401
    c = create(client, retailer)
    other = make_user(session, "retailer")
    assert client.patch(f"/api/v1/campaigns/{c['id']}", json={"closed": True}, headers=other.headers).status_code == 404
    r = client.patch(f"/api/v1/campaigns/{c['id']}", json={"closed": True, "budget_fen": 90000}, headers=retailer.headers)
    assert r.status_code == 200 and r.json["closed"] is True and r.json["budget_fen"] == 90000
    listed = client.get("/api/v1/campaigns", query_string={"org_id": str(retailer.org_id)}).json
    assert [x["id"] for x in listed["items"]] == [c["id"]]
    assert client.get("/api/v1/campaigns", query_string={"active_on": "2025-06-01"}).json["items"] == []


@pytest.mark.parametrize("change,field", [
    ({"regions": ["149999"]}, "regions"),
    ({"kinds": ["toaster"]}, "kinds.0"),
    ({"bonuses": {"toaster": 100}}, "bonuses"),
    ({"bonuses": {"television": 0}}, "bonuses"),
    ({"ends_on": "2025-04-01"}, "ends_on"),
    ({"stacking": "on_top"}, "stacking"),
    ({"budget_fen": 0}, "budget_fen"),
])
def test_campaign_bad_input(client, retailer, change, field):
    r = client.post("/api/v1/campaigns", json=campaign_body(**change), headers=retailer.headers)
    assert r.status_code == 422, r.json
    assert any(k.startswith(field) for k in r.json["errors"]), r.json
