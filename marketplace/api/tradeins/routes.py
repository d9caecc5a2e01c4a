"""Trade-ins for the consumer: questionnaires, instant quote, acceptance with handover and payout
choice, cancellation, the counter-offer answer; and reading a trade-in with its history."""
from __future__ import annotations

from marketplace.api.tradeins import schemas as s
from marketplace.api.tradeins.blueprint import blp
from marketplace.api.tradeins.deps import deps
from marketplace.api.tradeins.views import detail, settle_if_due
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.accounts.models import Role
from services.errors import NotFound
from services.tradeins import common, handling, questionnaire, quotes
from services.tradeins.models import Status

__all__ = ["blp"]


@blp.route("/tradeins/questionnaires/<category>", methods=["GET"])
@public
@blp.response(200, s.QuestionnaireSchema)
def get_questionnaire(category):
    """The questions a consumer answers (and an inspector checks) for a category, in zh and en."""
    if category not in questionnaire.CATEGORIES:
        raise NotFound(f"no questionnaire for {category!r}; one of {', '.join(questionnaire.CATEGORIES)}")
    return {"category": category, "questions": [q.as_dict() for q in questionnaire.questions(category)]}


@blp.route("/tradeins", methods=["POST"])
@idempotent
@blp.arguments(s.QuoteCreateSchema)
@blp.response(201, s.TradeInDetailSchema)
def create_quote(data):
    """Instant valuation: the quote (valid 7 days by default) with its reasons line by line.
    Unknown model, a wrong-type answer or a bad IMEI/VIN check digit is a 422 naming the field;
    a blocklisted device is a 403 `device_blocklisted`."""
    user = require_user(Role.CONSUMER)
    with unit_of_work() as session:
        t = quotes.create_quote(session, user, data, deps())
    return detail(t), 201, {"Location": f"/api/v1/tradeins/{t.id}"}


@blp.route("/tradeins", methods=["GET"])
@blp.arguments(s.TradeInListArgs, location="query")
@blp.response(200, page_of(s.TradeInSchema))
def list_tradeins(args):
    """Your trade-ins (consumers), your organisation's and the unclaimed queue (retailer and
    recycler staff), or all (operators); newest first."""
    user = require_user()
    rows, nxt = common.browse(db.session, user, cursor=args["cursor"], limit=args["limit"],
                              status=Status(args["status"]) if args["status"] else None)
    return page(rows, nxt)


@blp.route("/tradeins/<uuid:tradein_id>", methods=["GET"])
@blp.response(200, s.TradeInDetailSchema)
def get_tradein(tradein_id):
    """One trade-in with its history, inspection photos, payouts and clawbacks."""
    return detail(common.get(db.session, require_user(), tradein_id))


@blp.route("/tradeins/<uuid:tradein_id>/accept", methods=["POST"])
@blp.arguments(s.AcceptSchema)
@blp.response(200, s.TradeInDetailSchema)
def accept_quote(data, tradein_id):
    """Accept the quote: choose the handover (pickup, dropoff, with_delivery) and the payout
    (cash or store_credit). Succeeds once; an expired quote is a 409 `quote_expired`. Trusted
    consumers (credit score at or above the threshold) are paid now."""
    user = require_user()
    with unit_of_work() as session:
        t = quotes.accept(session, user, tradein_id, data, deps())
    return detail(t)


@blp.route("/tradeins/<uuid:tradein_id>/cancel", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def cancel_tradein(tradein_id):
    """Walk away before handing the item over (a prepayment is clawed back)."""
    user = require_user()
    with unit_of_work() as session:
        t = quotes.cancel(session, user, tradein_id, deps())
    return detail(t)


@blp.route("/tradeins/<uuid:tradein_id>/offer/accept", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def accept_offer(tradein_id):
    """Take the counter-offer; the payout follows at once."""
    user = require_user()
    with unit_of_work() as session:
        t = handling.accept_offer(session, user, tradein_id)
    return detail(settle_if_due(t, user))


@blp.route("/tradeins/<uuid:tradein_id>/offer/decline", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def decline_offer(tradein_id):
    """Decline the counter-offer: the item comes back free of charge, tracked."""
    user = require_user()
    with unit_of_work() as session:
        t = handling.decline_offer(session, user, tradein_id, deps())
    return detail(t)


@blp.route("/tradeins/<uuid:tradein_id>/return", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def return_locked(tradein_id):
    """A locked device (Activation Lock/FRP still on) that the consumer wants back."""
    user = require_user()
    with unit_of_work() as session:
        t = handling.give_up_locked(session, user, tradein_id, deps())
    return detail(t)
