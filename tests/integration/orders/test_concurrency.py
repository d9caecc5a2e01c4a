"""Fifty buyers race for one listing on PostgreSQL: exactly one order, 409 for everyone else."""

from sqlalchemy import func, select


from services.accounts.models import Role
from services.listings.models import Listing, Status
from services.orders.models import Order
from tests.factories.accounts import make_user
from tests.factories.orders import publish
from tests.factories.races import race_clients

BUYERS = 50


def test_fifty_concurrent_buyers_get_one_order_and_49_conflicts(app, session, seller, operator):
    assert session.get_bind().dialect.name == "postgresql"
    listing = publish(session, seller, operator)
    buyers = [make_user(session, Role.CONSUMER) for _ in range(BUYERS)]
    responses = race_clients(app, BUYERS, lambda c, i: c.post("/api/v1/orders", json={"listing_id": str(listing.id)},
                                                                headers=buyers[i].headers))
    results = [(r.status_code, r.json) for r in responses]

    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (BUYERS - 1), codes
    assert all(body["code"] == "listing_unavailable" for code, body in results if code == 409)
    winner = next(body for code, body in results if code == 201)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Order).where(Order.listing_id == listing.id)) == 1
    assert session.get(Listing, listing.id).status == Status.RESERVED
    assert str(session.scalar(select(Order.buyer_id).where(Order.listing_id == listing.id))) == winner["buyer_id"]
