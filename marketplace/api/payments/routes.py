"""Payments: the buyer's payment of an order, sellers' Stripe Connect onboarding and payouts."""
from __future__ import annotations

from marketplace.api.orders.routes import payment_view
from marketplace.api.orders.schemas import PaymentSchema
from marketplace.api.payments import schemas as s
from marketplace.api.payments.wiring import gateway, settings
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.accounts.models import Role
from services.orders import service as orders
from services.payments import operations, service
from services.payments.models import OperationState

blp = Blueprint("payments", __name__, description="Payments held until acceptance, seller accounts and payouts")

SELLERS = (Role.CONSUMER, Role.RETAILER, Role.RECYCLER)


@blp.route("/orders/<uuid:order_id>/payment", methods=["GET"])
@blp.response(200, PaymentSchema)
def get_payment(order_id):
    """The order's payment; the buyer also gets the `client_secret` to confirm it with Stripe.js."""
    user = require_user()
    order = orders.get(db.session, order_id, user)
    return payment_view(orders.payment(db.session, order), order, user)


def _account_view(account, url=None) -> dict:
    return {**{c: getattr(account, c) for c in ("id", "owner_user_id", "owner_org_id", "charges_enabled",
                                                 "payouts_enabled", "details_submitted")}, "onboarding_url": url}


@blp.route("/payments/seller-account", methods=["POST"])
@blp.response(200, s.SellerAccountSchema)
def onboard():
    """Start (or continue) Stripe Connect Express onboarding for you or your organisation: returns
    a fresh link to Stripe's hosted form. Payouts wait until Stripe enables the account."""
    user = require_user(*SELLERS)
    base = settings().public_base_url.rstrip("/")
    with unit_of_work() as session:
        account, url = service.onboard(session, user, gateway(),
                                       refresh_url=f"{base}/api/v1/payments/seller-account?onboarding=refresh",
                                       return_url=f"{base}/api/v1/payments/seller-account?onboarding=done")
    return _account_view(account, url)


@blp.route("/payments/seller-account", methods=["GET"])
@blp.response(200, s.SellerAccountSchema)
def get_account():
    """Your (or your organisation's) seller account as Stripe last reported it."""
    user = require_user(*SELLERS)
    return _account_view(service.seller_account(db.session, user))


@blp.route("/payments/payouts", methods=["GET"])
@blp.arguments(s.PayoutPageArgs, location="query")
@blp.response(200, page_of(s.SellerPayoutSchema))
def list_payouts(args):
    """Your payouts: what each sale earned after the platform fee, and whether it was transferred."""
    user = require_user(*SELLERS)
    return page(*service.payouts_of(db.session, user, args["cursor"], args["limit"]))


@blp.route("/payments/operations", methods=["GET"])
@blp.arguments(s.PaymentOperationArgs, location="query")
@blp.response(200, page_of(s.PaymentOperationSchema))
def list_operations(args):
    """Operators: calls to Stripe recorded by orders and payouts and made after commit. `failed`
    ones were given up on (attempts spent, refused, or too old to resend safely) and need a person."""
    require_operator()
    state = None if args["state"] == "all" else OperationState(args["state"])
    return page(*operations.listed(db.session, state=state, cursor=args["cursor"], limit=args["limit"]))
