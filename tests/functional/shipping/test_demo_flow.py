"""The offline demo of `make run`, as a newcomer follows the README: the seed's cross-city orders
(one delivered by the stand-in carrier, one waiting to ship, one decided `return`), then shipping,
`flask shipping advance` and accepting; and sending the return back until the refund."""
import pytest

from services.accounts.seed import DEMO_PASSWORD, users
from services.demo import publish_listing
from services.shipping import seed as shipping_seed


@pytest.fixture
def seeded(session):
    people = users(session)
    lines = shipping_seed.seed(session, people, publish=publish_listing)
    session.commit()
    return lines


def _login(client, n: int) -> dict:
    r = client.post("/api/v1/accounts/login", json={"email": f"consumer{n}@demo.huanxin.cn", "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def _orders(client, headers, role):
    return client.get(f"/api/v1/orders?role={role}", headers=headers).json["items"]


def test_the_seed_shows_a_delivered_cross_city_order(ship_client, seeded):
    assert len(seeded) == 3 and all(line.startswith("shipping: order ") for line in seeded)
    buyer = _login(ship_client, 4)
    order = _orders(ship_client, buyer, "buyer")[0]
    assert order["status"] == "handed_over" and order["accept_by"], order
    assert (order["fulfilment"], order["shipping_fee_fen"], order["shipping_paid_by"]) == ("shipped", 6000, "buyer")
    assert order["payable_fen"] == order["price_fen"] + 6000
    parcel = ship_client.get(f"/api/v1/orders/{order['id']}/shipments", headers=buyer).json["shipments"][0]
    assert parcel["carrier"] == "yto" and parcel["status"] == "delivered"
    assert [e["status"] for e in parcel["events"]] == ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    kinds = {n["kind"] for n in ship_client.get("/api/v1/notifications", headers=buyer).json["items"]}
    assert {"shipped", "delivered"} <= kinds
    assert ship_client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer).json["status"] == "completed"


def test_a_newcomer_ships_advances_and_accepts(ship_client, ship_app, seeded):
    seller, buyer = _login(ship_client, 5), _login(ship_client, 6)
    order = _orders(ship_client, seller, "seller")[0]
    assert order["status"] == "paid_held"
    r = ship_client.post(f"/api/v1/orders/{order['id']}/shipments", headers=seller,
                         json={"carrier": "sf", "tracking_number": "SF1234567890123"})
    assert r.status_code == 201, r.json
    out = ship_app.test_cli_runner().invoke(args=["shipping", "advance", "--hours", "36"])
    assert out.exit_code == 0 and "applied 4 tracking events" in out.output, out.output
    assert ship_client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json["status"] == "handed_over"
    assert ship_client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer).json["status"] == "completed"


def test_a_newcomer_sends_the_return_back_and_the_buyer_is_refunded(ship_client, ship_app, seeded):
    buyer, seller = _login(ship_client, 8), _login(ship_client, 7)
    order = _orders(ship_client, buyer, "buyer")[0]
    dispute = ship_client.get("/api/v1/disputes", headers=buyer).json["items"][0]
    assert order["status"] == "disputed" and dispute["outcome"] == "return"
    r = ship_client.post(f"/api/v1/orders/{order['id']}/returns", headers=buyer,
                         json={"carrier": "zto", "tracking_number": "731234567890"})
    assert r.status_code == 201, r.json
    out = ship_app.test_cli_runner().invoke(args=["shipping", "advance", "--hours", "36"])
    assert out.exit_code == 0 and "applied 4 tracking events" in out.output, out.output
    body = ship_client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json
    assert order["shipping_paid_by"] == "seller" and order["payable_fen"] == order["price_fen"]   # 包邮
    assert body["status"] == "refunded" and body["refunded_fen"] == order["payable_fen"], body
    assert "return_delivered" in {n["kind"] for n in ship_client.get("/api/v1/notifications", headers=seller).json["items"]}


def test_the_seeded_return_left_unsent_lapses_and_the_seller_is_paid(ship_client, ship_app, seeded):
    """README "Returns after a dispute": `flask shipping lapse-returns --days 8` runs the lapse job
    as if the 7-day send window had passed; today nothing lapses."""
    buyer, seller = _login(ship_client, 8), _login(ship_client, 7)
    order = _orders(ship_client, buyer, "buyer")[0]
    out = ship_app.test_cli_runner().invoke(args=["shipping", "lapse-returns"])
    assert out.exit_code == 0 and "lapsed 0 returns" in out.output, out.output
    out = ship_app.test_cli_runner().invoke(args=["shipping", "lapse-returns", "--days", "8"])
    assert out.exit_code == 0 and "lapsed 1 returns" in out.output, out.output
    body = ship_client.get(f"/api/v1/orders/{order['id']}", headers=seller).json
    assert body["status"] == "completed" and body["return_deadline"] is None, body
    dispute = ship_client.get("/api/v1/disputes", headers=buyer).json["items"][0]
    assert (dispute["outcome"], dispute["refund_fen"]) == ("return_lapsed", 0)
    assert "return_lapsed" in {n["kind"] for n in ship_client.get("/api/v1/notifications", headers=seller).json["items"]}
