"""The trade-in price table: public to read; operators keep the platform's base prices, retailers
their campaign entries (own base and/or bonus). Every change is audited."""
from __future__ import annotations

from marketplace.api.tradeins import schemas as s
from marketplace.api.tradeins.blueprint import blp
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.tradeins import prices


@blp.route("/tradeins/prices", methods=["GET"])
@public
@blp.arguments(s.PriceListArgs, location="query")
@blp.response(200, page_of(s.PriceSchema))
def list_prices(args):
    """Active entries, newest first; filter by category, retailer (org_id), platform_only, or model text."""
    rows, nxt = prices.browse(db.session, cursor=args["cursor"], limit=args["limit"], category=args["category"],
                              org_id=args["org_id"], platform_only=args["platform_only"], q=args["q"])
    return page(rows, nxt)


@blp.route("/tradeins/prices/<uuid:entry_id>", methods=["GET"])
@public
@blp.response(200, s.PriceSchema)
def get_price(entry_id):
    """One price entry."""
    return prices.get_entry(db.session, entry_id)


@blp.route("/tradeins/prices", methods=["POST"])
@idempotent
@blp.arguments(s.PriceCreateSchema)
@blp.response(201, s.PriceSchema)
def create_price(data):
    """Add a model: operators to the platform table (or any retailer's), retailers to their own
    campaign table. One entry per model and table (409 `price_entry_exists`)."""
    user = require_user()
    with unit_of_work() as session:
        entry = prices.create_entry(session, user, data)
    return entry, 201, {"Location": f"/api/v1/tradeins/prices/{entry.id}"}


@blp.route("/tradeins/prices/<uuid:entry_id>", methods=["PATCH"])
@blp.arguments(s.PriceUpdateSchema)
@blp.response(200, s.PriceSchema)
def update_price(data, entry_id):
    """Change an entry; quotes already issued keep the price they were given."""
    user = require_user()
    with unit_of_work() as session:
        return prices.update_entry(session, user, entry_id, data)


@blp.route("/tradeins/prices/<uuid:entry_id>", methods=["DELETE"])
@blp.response(204)
def deactivate_price(entry_id):
    """Withdraw an entry (kept, inactive, for the audit trail)."""
    user = require_user()
    with unit_of_work() as session:
        prices.update_entry(session, user, entry_id, {"active": False})
