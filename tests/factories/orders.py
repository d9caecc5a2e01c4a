"""Buying: listings ready to buy, orders moved to a given state through the real services,
gateways that record or fail, the clock's start T0, Stripe-signed webhook payloads. The accounts, the
stripe-mock app and the `frozen` clock are fixtures in tests/fixtures/orders.py."""
from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
import stripe

from services import clock
from services.flows.publishing import PUBLISH_GATES
from services.listings import service as listings
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from services.orders.settings import BuyingSettings
from services.payments import relay
from services.payments.gateway import GatewayError
from services.payments.models import SellerAccount
from services.payments.offline import OfflineGateway
from services.payments.stripe_gateway import StripeGateway
from services.shipping import service as shipping, tracking
from services.shipping.models import TrackingStatus
from services.shipping.ports import TrackingEvent
from tests.factories.listings import fridge_payload

STRIPE_BASE = os.environ.get("TEST_STRIPE_API_BASE", "http://127.0.0.1:12111")
WEBHOOK_SECRET = "whsec_test_huanxin"
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
_waybills = itertools.count(1_000_000_000_000)
SETTINGS = BuyingSettings(platform_fee_bps=500, reservation_minutes=30, cash_reservation_hours=48,
                          auto_capture_days=7, review_publish_days=14, offer_expiry_hours=48)


# ---- gateways -----------------------------------------------------------------------------------

@dataclass
class Recording:
    """Wraps a gateway: records every call, and raises GatewayError for the steps in `fail`."""
    inner: object
    fail: set = field(default_factory=set)
    declined: bool = False
    calls: list = field(default_factory=list)

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name in self.fail:
                raise GatewayError(f"simulated {name} failure", code="simulated", declined=self.declined)
            return attr(*args, **kwargs)
        return call

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def keys(self, name: str) -> list[str]:
        return [c[2].get("idempotency_key") or getattr(c[1][0], "idempotency_key", None)
                for c in self.calls if c[0] == name]


def stripe_gateway() -> StripeGateway:
    return StripeGateway("sk_test_123", api_base=STRIPE_BASE, timeout=10)


class GatewaySwitch:
    """The stripe_app's gateway (handed to create_app): stripe-mock, or the gateway a test puts
    in with the `use_gateway` fixture for its duration."""

    def __init__(self, default):
        self.default = self.current = default

    def __getattr__(self, name):
        return getattr(self.current, name)


# ---- listings and orders --------------------------------------------------------------------------

def publish(session, seller, operator, payload: dict | None = None):
    """A listing by `seller`, submitted and approved through the listing service."""
    listing = listings.create(session, seller.user, payload or fridge_payload())
    listings.transition(session, seller.user, listing.id, "submit", gates=PUBLISH_GATES)
    listings.transition(session, operator.user, listing.id, "approve", gates=PUBLISH_GATES)
    session.commit()
    return listing


def commit_and_relay(session, gw) -> None:
    """Commit, then make the provider calls the transaction recorded (what the app's after-commit
    step does for a request)."""
    session.commit()
    relay.relay(session, gw)


def order_in(session, state: S, *, buyer, seller, operator, gateway=None, settings=SETTINGS,
             payload: dict | None = None, fulfilment: str = "meetup") -> Order:
    """An order moved to `state` through the real services (offline gateway unless given). A
    `fulfilment="shipped"` order is handed over by the carrier: shipped and reported delivered."""
    gw = gateway or OfflineGateway()
    if fulfilment == "shipped" and payload is None:
        payload = {**fridge_payload(), "shipping_fee_fen": 1500}
    listing = publish(session, seller, operator, payload)
    order = orders.place(session, buyer.user, listing.id, gateway=gw, settings=settings, fulfilment=fulfilment)
    session.commit()
    relay.relay(session, gw, order_ids=[order.id])   # the intent is created after the placement committed
    if state == S.CREATED:
        order.status = S.CREATED   # transient in real life: placement moves on at once
        session.commit()
    path = {S.PAYMENT_PENDING: [], S.CANCELLED: ["cancel"], S.PAID_HELD: ["authorise"],
            S.HANDED_OVER: ["authorise", "hand_over"], S.ACCEPTED: ["authorise", "hand_over", "accept_only"],
            S.COMPLETED: ["authorise", "hand_over", "accept"], S.DISPUTED: ["authorise", "hand_over", "dispute"],
            S.REFUNDED: ["authorise", "hand_over", "accept", "refund"]}.get(state, [])
    for step in path:
        _step(session, order, step, buyer, seller, gw, settings)
        session.commit()
        # What the step recorded for the provider is sent after the commit, as the app does.
        relay.relay(session, gw, order_ids=[order.id])
    session.refresh(order)
    assert order.status == state, (order.status, state)
    return order


def deliver(session, order, seller, at=None):
    """A shipped, paid order's parcel: recorded by the seller, reported delivered by the carrier
    (`at`, default now) through the tracking service, as the signed webhook does."""
    shipment = shipping.ship(session, seller.user, order.id, carrier="sf", tracking_number=f"SF{next(_waybills)}")
    at = at or clock.now(session)
    tracking.apply(session, "sf", TrackingEvent(f"{shipment.tracking_number}-delivered", shipment.tracking_number,
                                                TrackingStatus.DELIVERED, at, None))
    return shipment


def _step(session, order, step, buyer, seller, gw, settings):
    from services.disputes import service as disputes
    if step == "cancel":
        orders.cancel(session, buyer.user, order.id, gateway=gw)
    elif step == "authorise":
        orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
    elif step == "hand_over" and order.fulfilment.value == "shipped":
        deliver(session, order, seller)
    elif step == "hand_over":
        orders.hand_over(session, seller.user, order.id, settings=settings)
    elif step == "accept_only":
        orders.move(session, order, S.ACCEPTED, action="accept", actor_id=buyer.id)
    elif step == "accept":
        orders.accept(session, buyer.user, order.id, gateway=gw)
    elif step == "dispute":
        disputes.open_dispute(session, buyer.user, order.id, reason="not_as_described")
    elif step == "refund":
        orders.refund(session, seller.user, order.id, gateway=gw, amount_fen=None, reason="returned")


# ---- webhooks ------------------------------------------------------------------------------------

def sign(payload: str, secret: str = WEBHOOK_SECRET, ts: int | None = None) -> str:
    """A Stripe-Signature header computed with stripe-python's own signing scheme."""
    ts = int(time.time()) if ts is None else ts
    sig = stripe.WebhookSignature._compute_signature(f"{ts}.{payload}", secret)
    return f"t={ts},{stripe.WebhookSignature.EXPECTED_SCHEME}={sig}"


def event(evt_type: str, obj: dict, *, evt_id: str | None = None, created: int | None = None) -> dict:
    return {"id": evt_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": evt_type,
            "api_version": "2026-10-28.endive", "created": created or int(time.time()),
            "livemode": False, "data": {"object": obj}}


def intent_obj(pay, **over) -> dict:
    obj = {"id": pay.intent_id, "object": "payment_intent", "amount": pay.amount_fen, "currency": "cny",
           "capture_method": "manual", "metadata": {"order_id": str(pay.order_id)},
           "amount_capturable": 0, "amount_received": 0, "latest_charge": None, "status": "requires_payment_method"}
    obj.update(over)
    return obj


def post_event(client, evt: dict, *, secret: str = WEBHOOK_SECRET, ts: int | None = None, header: str | None = None):
    payload = json.dumps(evt)
    return client.post("/api/v1/webhooks/stripe", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": header if header is not None else sign(payload, secret, ts)})



def onboarded_payout_account(session, *, user_id=None, org_id=None) -> None:
    """A Stripe Connect account that can receive payouts (Connect onboarding is not under test)."""
    session.add(SellerAccount(owner_org_id=org_id, owner_user_id=user_id,
                              stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
                              charges_enabled=True, payouts_enabled=True, details_submitted=True,
                              synced_event_at=0))
    session.commit()
