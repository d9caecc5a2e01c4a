"""Favourites and saved searches; their alerts come as notifications (marketplace/alerts.py)."""
from __future__ import annotations

from marketplace.api.search.routes import VOCABULARIES
from marketplace.api.watchlist import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from search.engine import plan_for
from search.query import QueryError, parse_params
from services.errors import ValidationFailed
from services.watchlist import service

blp = Blueprint("watchlist", __name__, description="Favourites and saved searches with batched alerts")
_PAGING = {"cursor", "limit"}


@blp.route("/listings/<uuid:listing_id>/favourite", methods=["PUT"])
@blp.response(201, s.FavouriteSchema)
def favourite(listing_id):
    """Favourite a listing (idempotent: 200 when it already was). A price drop below the price
    you saw sends an alert."""
    user = require_user()
    with unit_of_work() as session:
        row, created = service.add_favourite(session, user, listing_id)
    return row, 201 if created else 200


@blp.route("/listings/<uuid:listing_id>/favourite", methods=["DELETE"])
@blp.response(204)
def unfavourite(listing_id):
    """Remove a favourite."""
    user = require_user()
    with unit_of_work() as session:
        service.remove_favourite(session, user, listing_id)


@blp.route("/favourites", methods=["GET"])
@blp.arguments(s.WatchPageArgs, location="query")
@blp.response(200, page_of(s.FavouriteSchema))
def favourites(args):
    """Your favourites, newest first."""
    return page(*service.favourites(db.session, require_user(), cursor=args["cursor"], limit=args["limit"]))


@blp.route("/saved-searches", methods=["POST"])
@blp.arguments(s.SavedSearchCreateSchema)
@blp.response(201, s.SavedSearchSchema)
def save_search(data):
    """Save a search; new listings that match it are announced at most once per ALERT_PERIOD_MINUTES."""
    user = require_user()
    params = {k: v for k, v in data["params"].items() if k not in _PAGING}
    try:
        query = parse_params(params, vocabularies=VOCABULARIES)
        plan_for(query.text)           # a query with nothing searchable in it is refused as /search does
    except QueryError as e:
        raise ValidationFailed("invalid search parameters",
                               fields={f"params.{k}": v for k, v in e.errors.items()}) from None
    with unit_of_work() as session:
        return service.save_search(session, user, name=data["name"], params=params)


@blp.route("/saved-searches", methods=["GET"])
@blp.arguments(s.WatchPageArgs, location="query")
@blp.response(200, page_of(s.SavedSearchSchema))
def saved_searches(args):
    """Your saved searches, newest first."""
    return page(*service.saved_searches(db.session, require_user(), cursor=args["cursor"], limit=args["limit"]))


@blp.route("/saved-searches/<uuid:search_id>", methods=["DELETE"])
@blp.response(204)
def delete_search(search_id):
    """Delete a saved search."""
    user = require_user()
    with unit_of_work() as session:
        service.delete_search(session, user, search_id)
