"""The order list costs the same number of queries for one order as for a page of them."""
import pytest
from sqlalchemy import event

from services.accounts.models import Role
from services.orders.models import OrderStatus as S
from tests.factories.accounts import make_user
from tests.factories.orders import order_in
from tests.factories.subsidies import resident_id


@pytest.fixture
def seller(session):
    """Real-name verified, so its credit band's listing limit fits five listings at once."""
    return make_user(session, Role.CONSUMER, verified_id=resident_id())


def _statements(app, client, headers) -> tuple[int, list]:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)
    event.listen(app.extensions["db"].engine, "before_cursor_execute", count)
    try:
        r = client.get("/api/v1/orders", headers=headers)
    finally:
        event.remove(app.extensions["db"].engine, "before_cursor_execute", count)
    assert r.status_code == 200
    return len(seen), r.json["items"]


def test_listing_orders_does_not_query_per_order(app, client, session, buyer, seller, operator):
    order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator)
    one, items = _statements(app, client, buyer.headers)
    assert len(items) == 1 and items[0]["payment"]["status"]
    for _ in range(4):
        order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator)
    five, items = _statements(app, client, buyer.headers)
    assert len(items) == 5 and all(i["payment"] is not None for i in items)
    assert five == one, (one, five)
