"""Payments through the real StripeGateway against stripe-mock (the Stripe API contract): manual
capture in CNY, idempotency keys and timeouts, cancel, refunds, Connect onboarding, fee and
transfer, payout frozen by a dispute. stripe-mock is stateless, so what the services decide is
checked from the calls made and the rows written."""
import socket

import pytest
import requests
from sqlalchemy import select

from services.credit.events import CreditEvent
from services.disputes import service as disputes
from services.listings.models import Listing, Status as LS
from services.orders import service as orders
from services.orders.models import OrderStatus as S
from services.payments import fees, service as payments
from services.payments.gateway import GatewayError, IntentRequest
from services.payments.models import PaymentStatus, Payout, PayoutStatus, Refund
from services.payments.stripe_gateway import StripeGateway
from tests.factories.orders import SETTINGS, STRIPE_BASE, Recording, commit_and_relay, order_in, stripe_gateway

MUTATING = {"create_intent", "capture", "cancel", "refund", "create_account", "account_link", "transfer",
            "reverse_transfer"}


@pytest.fixture
def gw():
    requests.get(STRIPE_BASE, timeout=5)   # stripe-mock must be up: a connection error fails the test
    return Recording(stripe_gateway())


def _enable_payouts(session, seller, gw):
    account, url = payments.onboard(session, seller.user, gw, refresh_url="http://x/refresh", return_url="http://x/ok")
    assert url.startswith("https://") and account.stripe_account_id.startswith("acct_")
    account.payouts_enabled = True   # what account.updated reports once Stripe has verified the seller
    session.commit()
    return account


def _keys_everywhere(gw):
    for name, args, kwargs in gw.calls:
        if name in MUTATING:
            k = kwargs.get("idempotency_key") or getattr(args[0], "idempotency_key", None)
            assert k and k.startswith("huanxin-"), (name, k)


def test_order_creates_a_manual_capture_intent_in_cny_and_returns_the_client_secret(session, buyer, seller, operator, gw):
    order = order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    pay = orders.payment(session, order)
    assert pay.provider == "stripe" and pay.intent_id.startswith("pi_") and "_secret_" in pay.client_secret
    req = gw.calls[0][1][0]
    assert isinstance(req, IntentRequest) and req.amount_fen == order.price_fen == 150000
    assert order.payment_method.value == "card" and order.reserved_until is not None
    _keys_everywhere(gw)


def test_stripe_client_has_timeouts_and_a_timeout_is_a_gateway_error():
    assert stripe_gateway().timeout == (5.0, 10)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)   # accepts connections, never answers
    try:
        gw = StripeGateway("sk_test_123", api_base=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5,
                           max_network_retries=0)
        with pytest.raises(GatewayError) as e:
            gw.capture("pi_123", 100, idempotency_key="huanxin-t")
        assert not e.value.declined
    finally:
        silent.close()


def test_accept_captures_takes_the_fee_and_transfers_the_rest(session, buyer, seller, operator, gw):
    _enable_payouts(session, seller, gw)
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    orders.accept(session, buyer.user, order.id, gateway=gw)
    commit_and_relay(session, gw)
    assert order.status == S.COMPLETED
    capture = next(c for c in gw.calls if c[0] == "capture")
    assert capture[1][1] == 150000 and capture[2]["idempotency_key"] == f"huanxin-order-{order.id}-capture-150000"
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert payout.status == PayoutStatus.PAID and payout.transfer_id.startswith("tr_")
    assert payout.fee_fen == fees.fee(150000, 500) == 7500 and payout.net_fen == payout.transferred_fen == 142500
    transfer = next(c for c in gw.calls if c[0] == "transfer")
    assert transfer[1][1] == 142500
    assert session.get(Listing, order.listing_id).status == LS.SOLD
    kinds = set(session.scalars(select(CreditEvent.kind).where(CreditEvent.ref_id == str(order.id))))
    assert {"order_completed_buyer", "order_completed_seller"} <= kinds
    _keys_everywhere(gw)


def test_no_transfer_without_a_payout_enabled_account_then_the_job_pays(session, buyer, seller, operator, gw):
    from services.orders import jobs
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert payout.status == PayoutStatus.PENDING and "transfer" not in gw.names()
    _enable_payouts(session, seller, gw)
    assert jobs.settle_payouts(session, gateway=gw) == 1
    session.commit()
    session.refresh(payout)
    assert payout.status == PayoutStatus.PAID


def test_cancel_before_capture_releases_the_hold_and_the_listing(session, buyer, seller, operator, gw):
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    orders.cancel(session, buyer.user, order.id, gateway=gw, reason="found another")
    commit_and_relay(session, gw)   # the provider is called after commit
    assert order.status == S.CANCELLED and orders.payment(session, order).status == PaymentStatus.CANCELLED
    assert gw.keys("cancel") == [f"huanxin-order-{order.id}-cancel"]
    assert session.get(Listing, order.listing_id).status == LS.PUBLISHED
    assert "capture" not in gw.names()


def test_partial_then_full_refund_with_reasons_and_payout_reversal(session, buyer, seller, operator, gw):
    _enable_payouts(session, seller, gw)
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    orders.refund(session, seller.user, order.id, gateway=gw, amount_fen=30000, reason="scratch not shown in photos")
    commit_and_relay(session, gw)
    assert order.status == S.COMPLETED and order.refunded_fen == 30000
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    # seller keeps 95% of 120000 = 114000 of the 142500 transferred
    assert payout.reversed_fen == 142500 - 114000
    orders.refund(session, operator.user, order.id, gateway=gw, amount_fen=None, reason="item returned")
    commit_and_relay(session, gw)
    assert order.status == S.REFUNDED and order.refunded_fen == 150000
    refunds = list(session.scalars(select(Refund).order_by(Refund.seq)))
    assert [(r.seq, r.amount_fen, r.reason) for r in refunds] == [
        (1, 30000, "scratch not shown in photos"), (2, 120000, "item returned")]
    assert gw.keys("refund") == [f"huanxin-order-{order.id}-refund-1-30000", f"huanxin-order-{order.id}-refund-2-120000"]
    session.refresh(payout)
    assert payout.reversed_fen == 142500
    _keys_everywhere(gw)


def test_refund_bounds(session, buyer, seller, operator, gw):
    from services.errors import ValidationFailed
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    with pytest.raises(ValidationFailed):
        orders.refund(session, seller.user, order.id, gateway=gw, amount_fen=150001, reason="too much")
    session.rollback()
    with pytest.raises(ValidationFailed):
        orders.refund(session, seller.user, order.id, gateway=gw, amount_fen=100, reason="  ")


def test_dispute_freezes_capture_and_payout_until_an_operator_releases(session, buyer, seller, operator, gw, frozen):
    from datetime import timedelta
    from services.orders import jobs
    _enable_payouts(session, seller, gw)
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    frozen.advance(timedelta(days=30))
    assert jobs.auto_capture(session, gateway=gw, settings=SETTINGS) == 0
    assert "capture" not in gw.names() and "transfer" not in gw.names()
    dispute = session.scalar(select(disputes.Dispute).where(disputes.Dispute.order_id == order.id))
    disputes.resolve(session, operator.user, dispute.id, outcome="release", amount_fen=None, note="photos match",
                     gateway=gw)
    commit_and_relay(session, gw)
    assert order.status == S.COMPLETED
    assert gw.names().index("capture") < gw.names().index("transfer")


def test_partial_refund_dispute_captures_only_the_rest(session, buyer, seller, operator, gw):
    _enable_payouts(session, seller, gw)
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    dispute = session.scalar(select(disputes.Dispute).where(disputes.Dispute.order_id == order.id))
    disputes.resolve(session, operator.user, dispute.id, outcome="partial_refund", amount_fen=50000,
                     note="battery worse than described", gateway=gw)
    commit_and_relay(session, gw)
    assert order.status == S.COMPLETED and order.refunded_fen == 50000
    assert next(c for c in gw.calls if c[0] == "capture")[1][1] == 100000
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert payout.net_fen == 95000 and payout.status == PayoutStatus.PAID


def test_full_refund_dispute_before_capture_voids_the_hold_and_relists(session, buyer, seller, operator, gw):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    dispute = session.scalar(select(disputes.Dispute).where(disputes.Dispute.order_id == order.id))
    disputes.resolve(session, operator.user, dispute.id, outcome="refund", amount_fen=None, note="never arrived",
                     gateway=gw)
    commit_and_relay(session, gw)   # the provider is called after commit
    assert order.status == S.REFUNDED and order.refunded_fen == order.price_fen
    assert "capture" not in gw.names() and "cancel" in gw.names()
    assert session.get(Listing, order.listing_id).status == LS.PUBLISHED


def test_onboarding_is_one_account_per_seller_and_organisation(session, retailer, gw):
    a1, _ = payments.onboard(session, retailer.user, gw, refresh_url="http://x/r", return_url="http://x/d")
    a2, url = payments.onboard(session, retailer.user, gw, refresh_url="http://x/r", return_url="http://x/d")
    assert a1.id == a2.id and a1.owner_org_id == retailer.org_id and a1.owner_user_id is None
    assert gw.names().count("create_account") == 1 and gw.names().count("account_link") == 2
    _keys_everywhere(gw)
