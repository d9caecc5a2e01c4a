"""GET /api/v1/search and /search/suggest through the whole app (database backend by default;
Elasticsearch, outages and the fallback with their own app configurations)."""
from __future__ import annotations

import uuid

import pytest

from services.flows.publishing import PUBLISH_GATES
from tests.factories.app import make_app
from tests.factories.listings import car_payload, fridge_payload, publish_via_api

DEAD_ES = "http://127.0.0.1:9"


publish = publish_via_api


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


@pytest.mark.smoke
def test_published_listing_is_found_and_leaves_when_withdrawn(client, consumer, operator):
    lid = publish(client, consumer, operator, fridge_payload(title="海爾 雙開門電冰箱 BCD-470"))
    r = client.get("/api/v1/search", query_string={"q": "电冰箱"})
    assert ids(r) == [lid]
    item = r.json["items"][0]
    assert item["title_highlight"] == "海爾 雙開門<em>電冰箱</em> BCD-470"
    assert r.json["total"] == 1 and r.json["next_cursor"] is None
    assert {"value": "refrigerator", "count": 1, "label": {"zh": "冰箱", "en": "Refrigerator"},
            "labels": {"value": "冰箱"}} in r.json["facets"]["kind"]
    en = client.get("/api/v1/search", query_string={"q": "fridge"}, headers={"Accept-Language": "en"})
    assert en.json["total"] == 1 and en.headers["Content-Language"] == "en"
    assert {"value": "refrigerator", "count": 1, "label": {"zh": "冰箱", "en": "Refrigerator"},
            "labels": {"value": "Refrigerator"}} in en.json["facets"]["kind"]
    assert en.json["items"][0]["labels"] == {"category": "Home appliance", "kind": "Refrigerator",
                                             "condition": "Good", "status": "On sale"}
    r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "withdraw"}, headers=consumer.headers)
    assert r.status_code == 200
    assert ids(client.get("/api/v1/search", query_string={"q": "电冰箱"})) == []


def test_reserved_listing_leaves_results_even_before_the_relay(app, client, consumer, operator, session):
    from services.listings import service
    lid = publish(client, consumer, operator, fridge_payload())
    assert ids(client.get("/api/v1/search", query_string={"q": "冰箱"})) == [lid]
    service.reserve(session, uuid.UUID(lid))
    session.commit()  # no unit of work: the inline relay has not run yet
    assert ids(client.get("/api/v1/search", query_string={"q": "冰箱"})) == []  # rows are the truth
    from marketplace.api.search.wiring import relay_inline, wiring
    relay_inline(app)
    assert wiring(app).primary.versions()[lid][1] is False


def test_drafts_never_appear(client, consumer):
    r = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers)
    assert r.status_code == 201
    assert ids(client.get("/api/v1/search", query_string={"q": "冰箱"})) == []


def test_filters_geo_sort_and_cursor(client, consumer, operator):
    near = publish(client, consumer, operator, fridge_payload(price_fen=120_000, region_code="440106",
                                                              lat=23.12, lon=113.36))
    far = publish(client, consumer, operator, fridge_payload(price_fen=90_000, region_code="110105",
                                                             lat=39.92, lon=116.44))
    car = publish(client, consumer, operator, car_payload())
    r = client.get("/api/v1/search", query_string={"near": "23.13,113.3", "sort": "distance"})
    assert ids(r)[:2] == [near, far] and r.json["items"][0]["distance_km"] < 10
    assert ids(client.get("/api/v1/search", query_string={"near": "23.13,113.3", "radius_km": "100"})) == [near]
    assert ids(client.get("/api/v1/search", query_string={"region": "44"})) == [near]
    assert ids(client.get("/api/v1/search", query_string={"category": "vehicle"})) == [car]
    assert set(ids(client.get("/api/v1/search", query_string={"kind": "refrigerator", "price_max": "100000"}))) == {far}
    assert ids(client.get("/api/v1/search", query_string={"powertrain": "gasoline", "mileage_max": "70000"})) == [car]
    page1 = client.get("/api/v1/search", query_string={"sort": "price_asc", "limit": "2"})
    assert ids(page1) == [far, near] and page1.json["next_cursor"]
    page2 = client.get("/api/v1/search", query_string={"sort": "price_asc", "limit": "2",
                                                       "cursor": page1.json["next_cursor"]})
    assert ids(page2) == [car] and page2.json["next_cursor"] is None


@pytest.mark.smoke
@pytest.mark.parametrize("params, name", [
    ({"q": "冰" * 201}, "q"),
    ({"price_min": "500", "price_max": "100"}, "price_min"),
    ({"year_min": "2020", "year_max": "2001"}, "year_min"),
    ({"near": "123,456"}, "near"),
    ({"near": "abc"}, "near"),
    ({"near": "23,113", "radius_km": "-5"}, "radius_km"),
    ({"sort": "popular"}, "sort"),
    ({"sort": "distance"}, "sort"),
    ({"colour": "red"}, "colour"),
    ({"condition": "mint"}, "condition"),
    ({"category": "boats"}, "category"),
    ({"energy_grade": "9"}, "energy_grade"),
    ({"limit": "0"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"region": "44x"}, "region"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, params, name):
    r = client.get("/api/v1/search", query_string=params)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json"
    assert name in r.json["errors"]


@pytest.mark.smoke
@pytest.mark.parametrize("q", ["title:* OR (", '"unbalanced', "AND", "NEAR(x y)", "-冰箱"])
def test_query_syntax_is_plain_text(client, q):
    assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200


@pytest.mark.smoke
@pytest.mark.parametrize("q", ["*", "%_\\", "！？。", "😀🔥", "  ---  "])
def test_a_query_with_nothing_to_search_for_is_422_naming_q(client, consumer, operator, q):
    publish(client, consumer, operator, fridge_payload())  # not the whole catalogue
    r = client.get("/api/v1/search", query_string={"q": q})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert list(r.json["errors"]) == ["q"]
    assert client.get("/api/v1/search", query_string={"q": ""}).status_code == 200  # no q: browse


@pytest.mark.smoke
def test_a_device_query_ranks_devices_above_accessories_and_an_accessory_query_the_reverse(
        client, consumer, operator):
    mats = publish(client, consumer, operator, {"category": "other", "title": "特斯拉 Model 3 脚垫 全包围",
                                                "price_fen": 15000, "condition": "good", "region_code": "140100",
                                                "attributes": {}})
    car = publish(client, consumer, operator, car_payload(title="自用特斯拉 model3 2021款 长续航"))
    assert ids(client.get("/api/v1/search", query_string={"q": "特斯拉 model 3"}))[0] == car
    assert ids(client.get("/api/v1/search", query_string={"q": "特斯拉 脚垫"}))[0] == mats


@pytest.mark.smoke
def test_a_short_page_is_topped_up_with_related_listings(client, consumer, operator):
    exact = publish(client, consumer, operator, fridge_payload(title="海尔 冰箱 470升"))
    midea = fridge_payload(title="美的 冰箱 小型")
    midea["attributes"] = {**midea["attributes"], "brand": "Midea", "model": "BCD-118"}
    other = publish(client, consumer, operator, midea)
    r = client.get("/api/v1/search", query_string={"q": "海尔冰箱"})
    assert ids(r) == [exact] and r.json["total"] == 1 and r.json["next_cursor"] is None
    assert [item["id"] for item in r.json["related"]] == [other]  # another fridge, not counted


@pytest.mark.smoke
def test_suggest_completes_chinese_prefixes_devices_first(client, consumer, operator):
    publish(client, consumer, operator, fridge_payload(title="海尔双门 BCD-470"))
    texts = [s["text"] for s in client.get("/api/v1/search/suggest", query_string={"q": "冰"}).json["suggestions"]]
    assert "冰箱" in texts and "冰箱贴" in texts and texts.index("冰箱") < texts.index("冰箱贴")
    r = client.get("/api/v1/search/suggest", query_string={"q": "特斯"})
    assert {"text": "特斯拉", "kind": "word"} in r.json["suggestions"]


@pytest.mark.smoke
def test_suggest_reads_pinyin_initials_and_puts_devices_above_accessories(client, consumer, operator):
    publish(client, consumer, operator, fridge_payload(title="冰箱贴 磁吸 装饰"))  # an accessory's title
    publish(client, consumer, operator, fridge_payload(title="冰箱 海尔 470升"))

    def texts(q):
        r = client.get("/api/v1/search/suggest", query_string={"q": q})
        assert r.status_code == 200
        return [s["text"] for s in r.json["suggestions"]]
    assert texts("bx")[0] == "冰箱" and "冰箱贴" in texts("bx")
    assert texts("tsl")[0] == "特斯拉" and texts("tesila")[0] == "特斯拉"
    assert texts("bingx")[0] == "冰箱"
    got = texts("冰箱")
    devices = [i for i, t in enumerate(got) if not t.startswith("冰箱贴")]
    accessories = [i for i, t in enumerate(got) if t.startswith("冰箱贴")]
    assert "冰箱 海尔 470升" in got and accessories and max(devices) < min(accessories)


def test_cursor_of_another_query_is_rejected(client, consumer, operator):
    for _ in range(2):
        publish(client, consumer, operator, fridge_payload())
    cursor = client.get("/api/v1/search", query_string={"q": "冰箱", "limit": "1"}).json["next_cursor"]
    r = client.get("/api/v1/search", query_string={"q": "空调", "limit": "1", "cursor": cursor})
    assert r.status_code == 422 and "cursor" in r.json["errors"]


def test_suggest(client, consumer, operator):
    publish(client, consumer, operator, fridge_payload(title="海尔冰箱 BCD-470 一级能效"))
    r = client.get("/api/v1/search/suggest", query_string={"q": "haier"})
    assert r.status_code == 200 and {"text": "Haier", "kind": "brand"} in r.json["suggestions"]
    r = client.get("/api/v1/search/suggest", query_string={"q": "海尔"})
    assert r.json["suggestions"][0]["text"].startswith("海尔冰箱")
    assert client.get("/api/v1/search/suggest").status_code == 422
    assert client.get("/api/v1/search/suggest", query_string={"q": "x" * 51}).status_code == 422


def test_search_is_public_but_a_bad_token_is_401(client):
    assert client.get("/api/v1/search").status_code == 200
    assert client.get("/api/v1/search", headers={"Authorization": "Bearer nonsense-token-xyz"}).status_code == 401


@pytest.fixture
def es_alias(es_url_for_app):
    alias = f"test-api-{uuid.uuid4().hex[:10]}"
    yield alias
    from elasticsearch import Elasticsearch
    Elasticsearch(es_url_for_app).indices.delete(index=f"{alias}-*", allow_no_indices=True)


@pytest.fixture(scope="session")
def es_url_for_app():
    import os
    return os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200")


def test_elasticsearch_backend_end_to_end(db_url, instance_dir, es_alias, es_url_for_app, consumer, operator):
    app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=es_url_for_app,
                   SEARCH_INDEX=es_alias, SEARCH_RELAY_INLINE=True)
    client = app.test_client()
    lid = publish(client, consumer, operator, fridge_payload(title="格力 KFR-35GW 空调 冰箱 套装"))
    from marketplace.api.search.wiring import wiring
    wiring(app).primary.refresh()
    r = client.get("/api/v1/search", query_string={"q": "KFR-35GW"})
    assert ids(r) == [lid] and r.json["backend"] == "elasticsearch"
    assert "<em>KFR-35GW</em>" in r.json["items"][0]["title_highlight"]
    r = client.get("/readyz")
    assert r.json["components"]["search"]["status"] == "up"


def test_elasticsearch_down_is_503_while_writes_keep_working(db_url, instance_dir, consumer, operator):
    app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=DEAD_ES,
                   SEARCH_RELAY_INLINE=True, ELASTICSEARCH_TIMEOUT=2)
    client = app.test_client()
    lid = publish(client, consumer, operator, fridge_payload())  # the write is not blocked
    r = client.get("/api/v1/search", query_string={"q": "冰箱"})
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
    assert r.mimetype == "application/problem+json" and r.json["code"] == "search_unavailable"
    assert "127.0.0.1" not in r.get_data(as_text=True)  # no Elasticsearch error passed through
    assert client.get("/api/v1/search/suggest", query_string={"q": "冰"}).status_code == 503
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["components"]["search"]["status"] == "down"
    assert client.get(f"/api/v1/listings/{lid}").status_code == 200


def test_database_fallback_answers_while_elasticsearch_is_down(db_url, instance_dir, consumer, operator):
    app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=DEAD_ES,
                   SEARCH_FALLBACK="database", SEARCH_RELAY_INLINE=True, ELASTICSEARCH_TIMEOUT=2)
    client = app.test_client()
    lid = publish(client, consumer, operator, fridge_payload())
    # The inline relay could not reach Elasticsearch, yet it kept the fallback current.
    r = client.get("/api/v1/search", query_string={"q": "冰箱"})
    assert ids(r) == [lid] and r.json["backend"] in ("postgresql", "sqlite")
    assert client.get("/readyz").status_code == 200


def test_cli_relay_and_reindex(app, client, consumer, operator, session):
    from services.listings import service
    lid = publish(client, consumer, operator, fridge_payload(title="美的冰箱 对开门"))
    service.update_listing(session, consumer.user, uuid.UUID(lid), {"title": "美的冰箱 对开门 降价"},
                           gates=PUBLISH_GATES)
    session.commit()  # outside a unit of work: waits in the outbox for the relay
    runner = app.test_cli_runner()
    r = runner.invoke(args=["search", "relay", "--once"])
    assert r.exit_code == 0 and "relayed 1 rows: 1 written" in r.output, r.output
    assert ids(client.get("/api/v1/search", query_string={"q": "降价"})) == [lid]
    r = runner.invoke(args=["search", "reindex"])
    assert r.exit_code == 0 and "1 documents indexed and swapped in" in r.output, r.output
    assert ids(client.get("/api/v1/search", query_string={"q": "冰箱"})) == [lid]
