"""Trade-in subsidies: quotes, programmes, budget pools, till sales and the reservation
lifecycle (reserve, redeem, release, claw back) shared by marketplace orders and till sales."""
from __future__ import annotations

import uuid

from flask import jsonify, request

from marketplace import i18n
from marketplace.api.payments.wiring import gateway
from marketplace.api.subsidies import schemas as s
from marketplace.auth import current_user, public, require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.limits import not_a_write
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import labels, pagination
from services.accounts.models import IdStatus, Role
from services.errors import NotFound, ValidationFailed
from services.flows import order_subsidies
from services.subsidies import availability, pools, quoting, reservations, sales
from services.subsidies.catalogue import catalogue

blp = Blueprint("subsidies", __name__, description="Government trade-in subsidies (以旧换新补贴)")


@blp.route("/subsidies/quote", methods=["POST"])
@public
@not_a_write
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": s.QuoteRequestSchema}}})
@blp.alt_response(200, schema=s.QuoteSchema, success=True, description="The quote")
@blp.alt_response(422, description="Invalid request: `errors` names each field")
def quote():
    """Which programmes pay for a purchase and how much, with a reason code and a zh/en
    explanation for every line and refusal, and whether their budget can pay it now (`budget`:
    available, exhausted, no_pool; `budget.reservable`). An authenticated buyer's own subsidised
    purchases count towards the per-person limits. Every refusal names the programme file, the
    clause of it that refuses and the notice it rests on. Bad input is a 422 naming the field; a
    date no programme covers is a valid request: 200, ineligible, `no_programme_in_force` first in
    `ineligible`, with the `nearest_windows` before and after it."""
    # The engine validates the whole contract field by field (the same messages the till and
    # order paths get), so the body is not parsed twice; the schema above documents it.
    body = request.get_json(silent=True)
    retailer_id = None
    if isinstance(body, dict) and body.get("retailer_id") is not None:
        body = dict(body)
        try:
            retailer_id = uuid.UUID(str(body.pop("retailer_id")))
        except ValueError:
            raise ValidationFailed("invalid retailer_id", fields={"retailer_id": ["Not a valid UUID."]}) from None
    user = current_user()
    history = ()
    if user is not None and user.id_status == IdStatus.VERIFIED and user.id_hash:
        history = quoting.own_history(db.session, user.id_hash)
    outcome = quoting.compute(lambda: db.session, body, history=history, org_id=retailer_id)
    # Already in contract shape: no second serialisation pass through the schema.
    body = outcome.as_dict()
    # Every line and refusal carries its zh/en explanation; `labels.code` is the one asked for.
    side = labels.explanation_key(i18n.language())
    for entry in (*body.get("lines", ()), *body.get("ineligible", ())):
        entry["labels"] = {"code": (entry.get("explanation") or {}).get(side)}
    return jsonify({**body, "budget": availability.budget(lambda: db.session, outcome)})


@blp.route("/subsidies/programmes", methods=["GET"])
@public
@blp.response(200, s.ProgrammeSchema(many=True))
def programmes():
    """The programmes in force, with their jurisdiction, window and sources."""
    return list(catalogue().programmes)


@blp.route("/subsidies/pools", methods=["POST"])
@idempotent
@blp.arguments(s.PoolCreateSchema)
@blp.response(201, s.PoolSchema)
def create_pool(data):
    """Open a budget pool for a programme in a region (operators)."""
    user = require_operator()
    with unit_of_work() as session:
        pool = pools.create_pool(session, user.id, data["programme"], data["region"], data["budget_fen"])
    return pool, 201, {"Location": f"/api/v1/subsidies/pools/{pool.id}"}


@blp.route("/subsidies/pools", methods=["GET"])
@blp.arguments(s.PoolListArgs, location="query")
@blp.response(200, s.PoolSchema(many=True))
def list_pools(args):
    """Every budget pool with what is reserved, redeemed and left (operators)."""
    require_operator()
    return pools.list_pools(db.session, args["programme"])


@blp.route("/subsidies/pools/<uuid:pool_id>", methods=["PATCH"])
@blp.arguments(s.PoolUpdateSchema)
@blp.response(200, s.PoolSchema)
def update_pool(data, pool_id):
    """Top up a pool, or close it when its funds run out (quotes then say BUDGET_CLOSED)."""
    user = require_operator()
    with unit_of_work() as session:
        return pools.update_pool(session, user.id, pool_id, budget_fen=data.get("budget_fen"),
                                 closed=data.get("closed"), reason=data.get("reason"))


@blp.route("/subsidies/sales", methods=["POST"])
@idempotent
@blp.arguments(s.TillSaleCreateSchema)
@blp.response(201, s.TillSaleSchema)
def create_sale(data):
    """Record a sale made at your till (retailers), with the evidence a claim needs."""
    user = require_user(Role.RETAILER)
    with unit_of_work() as session:
        sale = sales.create_sale(session, user, data)
    return sale, 201, {"Location": f"/api/v1/subsidies/sales/{sale.id}"}


@blp.route("/subsidies/sales", methods=["GET"])
@blp.arguments(s.SaleListArgs, location="query")
@blp.response(200, page_of(s.TillSaleSchema))
def list_sales(args):
    """Your organisation's till sales, newest first."""
    user = require_user(Role.RETAILER)
    rows, nxt = pagination.page(db.session, sales.list_sales(user, args["org_id"]),
                                sales.TillSale, args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/subsidies/sales/<uuid:sale_id>", methods=["GET"])
@blp.response(200, s.TillSaleSchema)
def get_sale(sale_id):
    """One of your organisation's till sales."""
    return sales.get_sale(db.session, require_user(), sale_id)


@blp.route("/subsidies/reservations", methods=["POST"])
@idempotent
@blp.arguments(s.ReservationCreateSchema)
@blp.response(201, s.ReservationSchema)
def reserve(data):
    """Reserve the subsidies of a till sale or a marketplace order against the programme's
    budget pool for the region and the buyer's per-person quota. 409 `not_eligible`,
    `budget_exhausted`, `no_pool` or `already_reserved` when nothing can be held; 409
    `voucher_already_used` (naming the field) when every item of the old item's kind on its
    recycling voucher (one item for a number pickups never issued) already backs another
    subsidised purchase, of any retailer; 409 `voucher_other_item` when a verified voucher lists
    no item of that kind.

    An order (`order_id`, for its buyer, the selling retailer's members and operators; 404 for
    anyone else) must be of a retailer's listing (else 422) and not paid yet: the subsidy is then
    taken off what the buyer pays (the order's `subsidy_fen`, the payment amount and the card
    intent change with it). Once the payment is authorised it is refused with 409
    `order_not_awaiting_payment`. What is bought (kind, price, grades) comes from the listing and
    the order; `quote_request` may give the region (default: the listing's), date (default: the
    day the order was placed) and the trade-in. The order's capture redeems the reservation, its
    cancellation releases it and a full refund claws it back; an order's reservation is redeemed
    only once the order is captured (409 `order_not_captured`) and released before the buyer
    pays or once the order is cancelled (409 `order_applies_subsidy` in between)."""
    user = require_user()
    with unit_of_work() as session:
        if "sale_id" in data:
            facts = reservations.sale_facts(session, sales.get_sale(session, user, data["sale_id"]))
            r = reservations.reserve(session, facts, actor_id=user.id)
        else:
            r = order_subsidies.reserve_order(session, user, data["order_id"],
                                              quote_request=data.get("quote_request"), gateway=gateway())
    return r, 201, {"Location": f"/api/v1/subsidies/reservations/{r.id}"}


def _own_reservation(session, reservation_id, *, buyer_may_read: bool = False, buyer_may_release: bool = False):
    user = require_user()
    r = reservations.get(session, reservation_id)
    if r.org_id in user.org_ids() or user.is_operator:
        return user, r
    if (buyer_may_read or (buyer_may_release and r.order_id is not None)) and r.buyer_user_id == user.id:
        return user, r
    raise NotFound("no such reservation")


@blp.route("/subsidies/reservations/<uuid:reservation_id>", methods=["GET"])
@blp.response(200, s.ReservationSchema)
def get_reservation(reservation_id):
    """A reservation and its snapshot lines (the retailer, the buyer, operators)."""
    return _own_reservation(db.session, reservation_id, buyer_may_read=True)[1]


def _act(reservation_id, action, reason=None):
    with unit_of_work() as session:
        # The buyer of an order may undo its subsidy before paying (as they may reserve it).
        user, r = _own_reservation(session, reservation_id, buyer_may_release=action == "release")
        fn = getattr(order_subsidies, action)
        kw = {"reason": reason} if action != "redeem" else {}
        if action == "release":
            kw["gateway"] = gateway()
        return fn(session, r.id, actor_id=user.id, **kw)


@blp.route("/subsidies/reservations/<uuid:reservation_id>/redeem", methods=["POST"])
@blp.response(200, s.ReservationSchema)
def redeem(reservation_id):
    """Payment captured: the reserved subsidy becomes redeemed and claimable."""
    return _act(reservation_id, "redeem")


@blp.route("/subsidies/reservations/<uuid:reservation_id>/release", methods=["POST"])
@blp.arguments(s.ReservationReasonSchema)
@blp.response(200, s.ReservationSchema)
def release(data, reservation_id):
    """Cancelled before payment: the budget, the buyer's quota slot and the recycling voucher are
    freed. An order's reservation is released while the order is not paid yet (by the retailer,
    an operator or the order's buyer): the subsidy comes off the order again and the buyer's
    payment amount goes back up. Once the buyer has paid it is refused with 409
    `order_applies_subsidy` (cancelling the order releases it)."""
    return _act(reservation_id, "release", data["reason"])


@blp.route("/subsidies/reservations/<uuid:reservation_id>/clawback", methods=["POST"])
@blp.arguments(s.ReservationReasonSchema)
@blp.response(200, s.ReservationSchema)
def clawback(data, reservation_id):
    """Refund or return after payment: the subsidy returns to the budget; the buyer's slot
    stays used unless the programme's rules free it."""
    return _act(reservation_id, "clawback", data["reason"])
