"""Labels beside codes, in the language of Accept-Language (zh-CN by default, or en), with
Content-Language saying which: listings (detail and index), orders and subsidy quote lines and
refusals. The API's codes themselves never change with the language."""
import pytest

from services import labels
from services.listings import attributes
from services.listings.models import Category, Condition, Status
from services.orders.models import OrderStatus
from services.pickups.models import BookingStatus
from tests.factories.listings import fridge_payload
from tests.factories.orders import order_in

EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.mark.parametrize("table, codes", [
    ("listing.category", [c.value for c in Category]), ("listing.condition", [c.value for c in Condition]),
    ("listing.status", [s.value for s in Status]), ("order.status", [s.value for s in OrderStatus]),
    ("pickup.status", [s.value for s in BookingStatus]),
    ("kind", sorted({k for kinds in attributes.KINDS.values() for k in kinds})),
])
def test_every_code_has_a_label_in_both_languages(table, codes):
    for lang in labels.LANGUAGES:
        missing = [c for c in codes if not labels.label(table, c, lang)]
        assert not missing, (table, lang, missing)
    zh, en = (labels.label(table, codes[0], lang) for lang in labels.LANGUAGES)
    assert zh != en


def test_a_listing_is_labelled_in_chinese_by_default_and_in_english_on_request(client, consumer):
    created = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers)
    assert created.status_code == 201
    assert created.json["labels"] == {"category": "家电", "kind": "冰箱", "condition": "良好", "status": "草稿"}
    assert created.headers["Content-Language"] == "zh-CN"
    url = f"/api/v1/listings/{created.json['id']}"
    en = client.get(url, headers={**consumer.headers, **EN})
    assert en.json["labels"] == {"category": "Home appliance", "kind": "Refrigerator", "condition": "Good",
                                 "status": "Draft"}
    assert en.headers["Content-Language"] == "en" and "Accept-Language" in en.headers["Vary"]
    assert en.json["status"] == "draft" and en.json["kind"] == "refrigerator"  # codes stay codes
    # A language not offered reads Chinese.
    fr = client.get(url, headers={**consumer.headers, "Accept-Language": "fr-FR"})
    assert fr.json["labels"]["status"] == "草稿" and fr.headers["Content-Language"] == "zh-CN"


def test_the_listing_index_carries_the_same_labels(client, published_listing):
    zh = client.get("/api/v1/listings").json["items"][0]
    en = client.get("/api/v1/listings", headers=EN)
    assert zh["labels"]["status"] == "在售" and en.json["items"][0]["labels"]["status"] == "On sale"
    assert en.headers["Content-Language"] == "en"


def test_an_order_status_is_labelled(client, session, buyer, seller, operator):  # noqa: F811
    order = order_in(session, OrderStatus.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator)
    r = client.get(f"/api/v1/orders/{order.id}", headers={**buyer.headers, **EN})
    assert r.json["status"] == "payment_pending" and r.json["labels"] == {"status": "Awaiting payment"}
    zh = client.get(f"/api/v1/orders/{order.id}", headers=buyer.headers).json
    assert zh["labels"] == {"status": "待付款"}


def test_quote_lines_and_refusals_follow_accept_language(client):
    body = {"region": "140100", "date": "2025-06-01", "trade_in": None,
            "purchase": {"kind": "refrigerator", "price_fen": 300000, "energy_grade": 1}}
    zh = client.post("/api/v1/subsidies/quote", json=body).json
    en = client.post("/api/v1/subsidies/quote", json=body, headers=EN)
    assert en.headers["Content-Language"] == "en" and zh["lines"]
    for z, e in zip(zh["lines"], en.json["lines"]):
        assert z["labels"]["code"] == z["explanation"]["zh"] and e["labels"]["code"] == e["explanation"]["en"]
    out_of_window = client.post("/api/v1/subsidies/quote", json={**body, "date": "2023-01-01"}, headers=EN).json
    refusal = out_of_window["ineligible"][0]
    assert refusal["code"] == "no_programme_in_force"
    assert refusal["labels"]["code"] == refusal["explanation"]["en"] and refusal["labels"]["code"]
