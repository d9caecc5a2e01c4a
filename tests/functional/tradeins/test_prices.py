"""The price table: public to read, kept by operators (platform) and retailers (their campaigns),
audited; an issued quote keeps its price when the table changes."""
from datetime import datetime, timedelta, timezone

from tests.factories.tradeins import IPHONE_BASE, phone_quote

ENTRY = {"category": "electronics", "kind": "mobile_phone", "brand": "Huawei", "model": "Mate 60 Pro",
         "base_price_fen": 450000}


def test_operators_keep_the_platform_table(client, consumer, recycler, operator):
    assert client.post("/api/v1/tradeins/prices", json=ENTRY, headers=consumer.headers).status_code == 403
    assert client.post("/api/v1/tradeins/prices", json=ENTRY, headers=recycler.headers).status_code == 403
    r = client.post("/api/v1/tradeins/prices", json=ENTRY, headers=operator.headers)
    assert r.status_code == 201 and r.json["org_id"] is None
    dup = client.post("/api/v1/tradeins/prices", json={**ENTRY, "model": "MATE 60  pro"}, headers=operator.headers)
    assert dup.status_code == 409 and dup.json["code"] == "price_entry_exists"
    bad = client.post("/api/v1/tradeins/prices", json={**ENTRY, "model": "X", "base_price_fen": None},
                      headers=operator.headers)
    assert bad.status_code == 422 and "base_price_fen" in bad.json["errors"]
    bad = client.post("/api/v1/tradeins/prices", json={**ENTRY, "model": "Y", "kind": "sofa"}, headers=operator.headers)
    assert bad.status_code == 422 and "kind" in bad.json["errors"]
    listed = client.get("/api/v1/tradeins/prices?q=mate").json["items"]
    assert [e["model"] for e in listed] == ["Mate 60 Pro"]
    eid = r.json["id"]
    r = client.patch(f"/api/v1/tradeins/prices/{eid}", json={"base_price_fen": 430000}, headers=operator.headers)
    assert r.status_code == 200 and r.json["base_price_fen"] == 430000
    log = client.get("/api/v1/audit-log", headers=operator.headers).json["items"]
    update = next(e for e in log if e["action"] == "tradein_price.update")
    assert update["before"]["base_price_fen"] == 450000 and update["after"]["base_price_fen"] == 430000


def test_retailers_run_campaigns_on_their_own_table_only(client, session, consumer, retailer, operator, table):
    from services.accounts.models import Role
    from tests.factories.accounts import make_user
    campaign = {**ENTRY, "brand": "Apple", "model": "iPhone 13", "base_price_fen": None,
                "campaign_bonus_fen": 30000, "campaign_name": "苏宁焕新",
                "ends_at": (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()}
    r = client.post("/api/v1/tradeins/prices", json=campaign, headers=retailer.headers)
    assert r.status_code == 201 and r.json["org_id"] == str(retailer.org_id)
    other = make_user(session, Role.RETAILER)
    assert client.patch(f"/api/v1/tradeins/prices/{r.json['id']}", json={"campaign_bonus_fen": 1},
                        headers=other.headers).status_code == 403
    platform = client.get("/api/v1/tradeins/prices?platform_only=true").json["items"]
    assert client.patch(f"/api/v1/tradeins/prices/{platform[0]['id']}", json={"base_price_fen": 1},
                        headers=retailer.headers).status_code == 403
    elsewhere = client.post("/api/v1/tradeins/prices", json={**campaign, "org_id": str(other.org_id)},
                            headers=retailer.headers)
    assert elsewhere.status_code == 403
    q = client.post("/api/v1/tradeins", json=phone_quote(org_id=str(retailer.org_id)), headers=consumer.headers).json
    assert q["quoted_fen"] == IPHONE_BASE + 30000
    plain = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json
    assert plain["quoted_fen"] == IPHONE_BASE


def test_an_issued_quote_keeps_its_price(client, consumer, operator, recycler, table):
    q = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json
    eid = client.get("/api/v1/tradeins/prices?q=iphone").json["items"][0]["id"]
    client.patch(f"/api/v1/tradeins/prices/{eid}", json={"base_price_fen": 100}, headers=operator.headers)
    assert client.get(f"/api/v1/tradeins/{q['id']}", headers=consumer.headers).json["quoted_fen"] == IPHONE_BASE
    assert client.delete(f"/api/v1/tradeins/prices/{eid}", headers=operator.headers).status_code == 204
    r = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers)
    assert r.status_code == 422 and "model" in r.json["errors"]


def test_campaign_outside_its_window_adds_nothing(client, session, consumer, retailer, table):
    from tests.factories.tradeins import price
    e = price(session, org_id=retailer.org_id, base=None, bonus=50000, campaign="已结束")
    e.ends_at = datetime.now(timezone.utc) - timedelta(days=1)
    session.commit()
    q = client.post("/api/v1/tradeins", json=phone_quote(org_id=str(retailer.org_id)), headers=consumer.headers).json
    assert q["quoted_fen"] == IPHONE_BASE and q["bonus_fen"] == 0


def test_search_text_is_literal_and_org_must_be_a_retailer(client, operator, recycler, table):
    only = client.get("/api/v1/tradeins/prices?q=%25_lavida%25").json["items"]  # % and _ are no wildcards
    assert [e["model"] for e in only] == ["Lavida"]
    nothing = client.get("/api/v1/tradeins/prices?q=%25_")  # nothing searchable, as /search says
    assert nothing.status_code == 422 and "q" in nothing.json["errors"]
    assert nothing.headers["Content-Type"].startswith("application/problem+json")
    assert len(client.get("/api/v1/tradeins/prices?q=lavida").json["items"]) == 1
    for org in (str(recycler.org_id), "7b0d5c3e-1111-4222-8333-444455556666"):
        r = client.post("/api/v1/tradeins/prices", json={**ENTRY, "org_id": org}, headers=operator.headers)
        assert r.status_code == 422 and "org_id" in r.json["errors"]


def test_the_table_is_searched_like_listings(client, table):
    """The listing search's text pipeline: class words name kinds, synonyms and brands in either
    script, traditional and full-width forms, model words whole or in parts."""
    def models(q):
        r = client.get("/api/v1/tradeins/prices", query_string={"q": q})
        assert r.status_code == 200, r.json
        return sorted(e["model"] for e in r.json["items"])
    fridge, phone, car = ["BCD-470WDPG"], ["iPhone 13"], ["Lavida"]
    for q in ("冰箱", "电冰箱", "雪櫃", "fridge", "海尔冰箱", "海爾", "ＨＡＩＥＲ", "bcd470wdpg"):
        assert models(q) == fridge, q
    for q in ("苹果13", "iPhone13", "ＩＰＨＯＮＥ　１３", "手机"):
        assert models(q) == phone, q
    for q in ("大众", "汽车", "lavida"):
        assert models(q) == car, q
    assert models("洗衣机") == [] and models("苹果14") == [] and models("特斯拉") == []
