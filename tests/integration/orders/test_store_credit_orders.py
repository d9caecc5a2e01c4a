"""Trade-in store credit spent on an order at the retailer that issued it: taken off the payment,
given back when the order is cancelled or fully refunded."""
import pytest
from sqlalchemy import func, select

from services.errors import Conflict, ValidationFailed
from services.ledger import service as ledger
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, Recording, commit_and_relay, publish, stripe_gateway


@pytest.fixture
def shop(session, retailer, operator, buyer):
    ledger.issue_store_credit(session, buyer.id, retailer.org_id, 50000, ref_type="tradein", ref_id="t1",
                              idempotency_key="test-issue-1")
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    return listing


def test_store_credit_lowers_the_payment_and_comes_back_on_cancel(session, shop, buyer, retailer):
    gw = Recording(stripe_gateway())
    order = orders.place(session, buyer.user, shop.id, gateway=gw, settings=SETTINGS, store_credit_fen=30000)
    commit_and_relay(session, gw)   # the intent is created after commit
    assert order.store_credit_fen == 30000 and order.payable_fen == 270000
    assert gw.calls[0][1][0].amount_fen == 270000
    assert ledger.balance(session, buyer.id, retailer.org_id) == 20000
    orders.cancel(session, buyer.user, order.id, gateway=gw)
    session.commit()
    assert ledger.balance(session, buyer.id, retailer.org_id) == 50000


def test_store_credit_comes_back_on_full_refund(session, shop, buyer, retailer):
    gw = Recording(stripe_gateway())
    order = orders.place(session, buyer.user, shop.id, gateway=gw, settings=SETTINGS, store_credit_fen=50000)
    orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
    orders.accept(session, buyer.user, order.id, gateway=gw)
    commit_and_relay(session, gw)
    assert ledger.balance(session, buyer.id, retailer.org_id) == 0
    orders.refund(session, retailer.user, order.id, gateway=gw, amount_fen=None, reason="returned")
    commit_and_relay(session, gw)   # the provider is called after commit
    assert order.status == S.REFUNDED and order.refunded_fen == 250000
    assert ledger.balance(session, buyer.id, retailer.org_id) == 50000


def test_short_balance_or_wrong_seller_places_nothing(session, shop, buyer, seller, operator):
    """Nothing is placed (no order, no payment intent) when the credit cannot pay."""
    gw = Recording(stripe_gateway())
    with pytest.raises(Conflict):
        orders.place(session, buyer.user, shop.id, gateway=gw, settings=SETTINGS, store_credit_fen=60000)
    session.rollback()
    other = publish(session, seller, operator)
    # The retailer's credit is not spendable at another seller; the buyer has no platform credit.
    with pytest.raises(ValidationFailed) as refused:
        orders.place(session, buyer.user, other.id, gateway=gw, settings=SETTINGS, store_credit_fen=100,
                     store_credit_issuer=str(shop.org_id))
    assert set(refused.value.fields) == {"store_credit_issuer"}
    session.rollback()
    with pytest.raises(Conflict) as short:
        orders.place(session, buyer.user, other.id, gateway=gw, settings=SETTINGS, store_credit_fen=100)
    assert short.value.extra["balances"] == [{"issuer": "platform", "org_id": None, "issuer_name": "the platform",
                                              "balance_fen": 0}]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert "create_intent" not in gw.names()
