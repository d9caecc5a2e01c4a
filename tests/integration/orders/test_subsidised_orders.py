"""Orders of a retailer's subsidised item: the subsidy is reserved at placement and taken off the
payment, redeemed on capture, released on cancel, clawed back on a full refund."""
import uuid

import pytest
from sqlalchemy import func, select

from services.accounts.models import Role
from services.errors import ValidationFailed
from services.listings.models import Listing, Status as LS
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from services.subsidies import pools, reservations
from services.subsidies.models import ReservationStatus as RS
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, Recording, commit_and_relay, publish, stripe_gateway
from tests.factories.subsidies import resident_id

QUOTE = {"region": "141100", "date": "2025-06-01",
         "purchase": {"kind": "television", "price_fen": 1, "energy_grade": 5}}   # kind, price, grade: the listing's


@pytest.fixture
def setup(session, retailer, operator):
    pools.create_pool(session, operator.id, "CN-2025-appliance", "140000", 10_000_000)
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    return buyer, listing


def test_subsidy_is_reserved_and_taken_off_the_payment_then_redeemed(session, setup, retailer):
    buyer, listing = setup
    gw = Recording(stripe_gateway())
    order = orders.place(session, buyer.user, listing.id, gateway=gw, settings=SETTINGS, subsidy_request=QUOTE)
    commit_and_relay(session, gw)   # the intent is created after commit
    r = reservations.for_order(session, order.id)
    assert r.status == RS.RESERVED and r.org_id == retailer.org_id and r.kind == "refrigerator"
    assert order.subsidy_fen == r.total_fen > 0 and order.payable_fen == 300000 - r.total_fen
    assert gw.calls[0][1][0].amount_fen == order.payable_fen
    pay = orders.payment(session, order)
    assert pay.amount_fen == order.payable_fen
    orders.mark_authorised(session, order, pay, order.payable_fen)
    orders.accept(session, buyer.user, order.id, gateway=gw)
    commit_and_relay(session, gw)
    assert order.status == S.COMPLETED and reservations.for_order(session, order.id).status == RS.REDEEMED
    orders.refund(session, retailer.user, order.id, gateway=gw, amount_fen=None, reason="returned unopened")
    commit_and_relay(session, gw)   # the provider is called after commit
    assert order.status == S.REFUNDED and order.refunded_fen == order.payable_fen
    session.refresh(r)
    assert r.status == RS.CLAWED_BACK


def test_cancel_releases_the_subsidy(session, setup):
    buyer, listing = setup
    gw = Recording(stripe_gateway())
    order = orders.place(session, buyer.user, listing.id, gateway=gw, settings=SETTINGS, subsidy_request=QUOTE)
    orders.cancel(session, buyer.user, order.id, gateway=gw)
    session.commit()
    r = session.scalar(select(reservations.Reservation).where(reservations.Reservation.order_id == order.id))
    assert r.status == RS.RELEASED


def test_unverified_buyer_or_consumer_listing_places_nothing(session, setup, seller, operator, stranger):
    buyer, listing = setup
    gw = Recording(stripe_gateway())
    with pytest.raises(ValidationFailed):
        orders.place(session, stranger.user, listing.id, gateway=gw, settings=SETTINGS, subsidy_request=QUOTE)
    session.rollback()
    consumer_listing = publish(session, seller, operator)
    with pytest.raises(ValidationFailed):
        orders.place(session, buyer.user, consumer_listing.id, gateway=gw, settings=SETTINGS, subsidy_request=QUOTE)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert session.get(Listing, listing.id).status == LS.PUBLISHED
    assert "create_intent" not in gw.names()


def test_order_facts_default_to_the_listing_region_and_the_day_placed(session, setup, retailer):
    from services import clock
    from services.orders.subsidy import sale_facts
    buyer, listing = setup
    order = orders.place(session, buyer.user, listing.id, gateway=Recording(stripe_gateway()), settings=SETTINGS)
    session.commit()
    facts = sale_facts(session, order.id, viewer=retailer.user)
    assert facts.quote_request["region"] == listing.region_code == "140100"
    assert facts.quote_request["date"] == order.created_at.astimezone(clock.SHANGHAI).date().isoformat()
    # Whatever the client says about the purchase, it is the listing's and the order's.
    facts = sale_facts(session, order.id, viewer=buyer.user, quote_request={
        "region": "141100", "purchase": {"kind": "television", "price_fen": 1, "energy_grade": 5, "water_grade": 1}})
    assert facts.quote_request["purchase"] == {"kind": "refrigerator", "price_fen": 300000, "energy_grade": 1}
    assert (facts.org_id, facts.buyer_user_id, facts.order_id) == (retailer.org_id, buyer.id, order.id)
    assert facts.buyer_id_hash == buyer.user.id_hash and facts.evidence["channel"] == "marketplace"
    session.rollback()
    assert sale_facts(session, uuid.uuid4(), viewer=retailer.user) is None
