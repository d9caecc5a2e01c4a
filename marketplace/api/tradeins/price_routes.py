"""The trade-in price table: public to read; operators keep the platform's base prices, retailers
their campaign entries (own base and/or bonus). Every change is audited."""
from __future__ import annotations

from types import MappingProxyType

from marketplace.api.tradeins import schemas as s
from marketplace.api.tradeins.blueprint import blp
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from search import labels
from search import text as tx
from search.analysis import TextPlan
from search.engine import plan_for
from search.query import QueryError
from services.errors import ValidationFailed
from services.tradeins import prices


def _kind_names() -> dict[str, tuple[str, ...]]:
    """normalised class name -> the kinds it names (冰箱, refrigerator -> refrigerator): the labels
    listing search indexes for a kind, never brands (特斯拉 names no class of the price table)."""
    out: dict[str, set[str]] = {}
    for kind, words in labels.KIND_LABELS.items():
        parts = words.split(" ")
        names = [p for p in parts if not p.isascii()]
        names.append(" ".join(p for p in parts if p.isascii()))
        names.extend(labels.KIND_NAMES[kind])
        for name in names:
            if name.strip():
                out.setdefault(tx.normalize(name).strip(), set()).add(kind)
    return {k: tuple(sorted(v)) for k, v in out.items()}


_KINDS = MappingProxyType(_kind_names())  # read-only: built once from the vocabulary


def price_text(q: str | None) -> prices.TextMatch | None:
    """The price table's search words through the listing search's text pipeline (normalisation,
    traditional -> simplified, segmentation, synonyms, class words naming kinds), composed here
    because services may not import search. A ``q`` with nothing searchable is a 422 naming it."""
    if q is None:
        return None
    try:
        plan: TextPlan = plan_for(q)
    except QueryError as e:
        raise ValidationFailed("invalid search parameters", fields=e.errors) from None
    concepts, required = (plan.words, plan.required) if plan.words else (plan.fragments, plan.fragments_required)
    terms = tuple(
        prices.TextTerm(
            kinds=tuple(sorted({k for a in c.alternatives for k in _KINDS.get(a.surface, ())})),
            alternatives=tuple(a.tokens for a in c.alternatives),
        )
        for c in concepts
    )
    return prices.TextMatch(terms, required)


@blp.route("/tradeins/prices", methods=["GET"])
@public
@blp.arguments(s.PriceListArgs, location="query")
@blp.response(200, page_of(s.PriceSchema))
def list_prices(args):
    """Active entries, newest first; filter by category, retailer (org_id), platform_only, or text `q`
    (brand, model or class, as listing search reads it: 冰箱 finds refrigerators, 雪櫃 and ＨＡＩＥＲ
    work; a `q` with nothing searchable is a 422)."""
    text = price_text(args["q"])
    rows, nxt = prices.browse(db.session, cursor=args["cursor"], limit=args["limit"], category=args["category"],
                              org_id=args["org_id"], platform_only=args["platform_only"], text=text)
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
