"""Races around escrowed money on PostgreSQL, each side in its own thread and transaction: a
wallet payment Stripe confirms at the moment the buyer cancels. Whichever wins the order lock,
the order ends cancelled, the listing back on sale and every fen collected refunded once."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from services.accounts.models import User
from services.listings.models import Listing, Status as LS
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from services.flows import settlement
from services.payments import relay
from services.payments.models import OperationState, PaymentOperation, Refund
from tests.factories.orders import SETTINGS, event, intent_obj, publish, stripe_gateway
from tests.factories.races import race

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.mark.parametrize("attempt", range(3))
def test_a_wallet_payment_confirmed_while_the_buyer_cancels_is_refunded_once(stripe_app, session, buyer, seller,
                                                                              operator, attempt):
    gw = stripe_gateway()
    listing = publish(session, seller, operator)
    order = orders.place(session, buyer.user, listing.id, gateway=gw, settings=SETTINGS, payment_method="alipay")
    order_id = order.id
    session.commit()
    relay.relay(session, gw, order_ids=[order_id])
    pay = orders.payment(session, session.get(Order, order_id))
    paid = event("payment_intent.succeeded", intent_obj(pay, status="succeeded", capture_method="automatic",
                                                         amount_received=pay.amount_fen,
                                                         latest_charge=f"ch_{uuid.uuid4().hex[:16]}"))
    session.commit()

    outcomes = race(stripe_app, [
        lambda s: settlement.handle(s, paid, gateway=gw),
        lambda s: orders.cancel(s, s.get(User, buyer.id), order_id, gateway=gw, reason="changed my mind"),
    ])
    assert outcomes[0] in ("processed", "refunding_late_payment"), outcomes
    relay.relay(session, gw, order_ids=[order_id])   # what each side recorded for Stripe, after commit

    session.expire_all()
    order = session.get(Order, order_id)
    pay = orders.payment(session, order)
    assert order.status == S.CANCELLED and session.get(Listing, listing.id).status == LS.PUBLISHED
    assert pay.captured_fen == pay.refunded_fen == order.payable_fen == order.refunded_fen
    assert session.scalar(select(func.count()).select_from(Refund).where(Refund.payment_id == pay.id)) == 1
    assert session.scalar(select(func.count()).select_from(PaymentOperation).where(
        PaymentOperation.order_id == order_id, PaymentOperation.state != OperationState.DONE)) == 0
