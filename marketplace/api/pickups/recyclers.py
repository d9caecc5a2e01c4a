"""A recycler's offer, its facilities and collectors, and a collector's day."""
from __future__ import annotations

from marketplace.api.pickups import schemas as s
from marketplace.api.pickups.blueprint import blp
from marketplace.auth import public, require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.uow import unit_of_work
from services.pickups import dispatch, offers


@blp.route("/pickups/recyclers/<uuid:org_id>", methods=["PUT"])
@blp.arguments(s.PickupOfferSchema)
@blp.response(200, s.RecyclerSchema)
def put_offer(data, org_id):
    """Declare (or replace) the recycler's pickup offer: kinds, service area, hours, capacity."""
    user = require_user()
    with unit_of_work() as session:
        return offers.upsert_offer(session, user, org_id, data)


@blp.route("/pickups/recyclers/<uuid:org_id>", methods=["GET"])
@public
@blp.response(200, s.RecyclerSchema)
def get_offer(org_id):
    """A recycler's pickup offer (public)."""
    return offers.get_offer(db.session, org_id)


@blp.route("/pickups/recyclers/<uuid:org_id>/authorisation", methods=["POST"])
@blp.arguments(s.DismantlerAuthorisationSchema)
@blp.response(200, s.RecyclerSchema)
def authorise(data, org_id):
    """Operator: the recycler is (or is no longer) an authorised vehicle dismantler."""
    op = require_operator()
    with unit_of_work() as session:
        return offers.authorise_dismantler(session, op, org_id, data["authorised_dismantler"], data["reason"])


@blp.route("/pickups/recyclers/<uuid:org_id>/facilities", methods=["POST"])
@idempotent
@blp.arguments(s.PickupFacilityCreateSchema)
@blp.response(201, s.PickupFacilitySchema)
def add_facility(data, org_id):
    """Add a collection point, transfer station, sorting centre or (authorised) dismantler."""
    user = require_user()
    with unit_of_work() as session:
        return offers.add_facility(session, user, org_id, data)


@blp.route("/pickups/recyclers/<uuid:org_id>/facilities", methods=["GET"])
@public
@blp.response(200, s.PickupFacilitySchema(many=True))
def list_facilities(org_id):
    """The recycler's facilities (public)."""
    return offers.list_facilities(db.session, org_id)


@blp.route("/pickups/recyclers/<uuid:org_id>/collectors", methods=["POST"])
@idempotent
@blp.arguments(s.PickupCollectorCreateSchema)
@blp.response(201, s.PickupCollectorSchema)
def add_collector(data, org_id):
    """Make a staff member one of the recycler's collectors."""
    user = require_user()
    with unit_of_work() as session:
        return offers.add_collector(session, user, org_id, data["user_id"], data["name"])


@blp.route("/pickups/recyclers/<uuid:org_id>/collectors", methods=["GET"])
@blp.response(200, s.PickupCollectorSchema(many=True))
def list_collectors(org_id):
    """The recycler's collectors (its staff and operators)."""
    return offers.list_collectors(db.session, require_user(), org_id)


@blp.route("/pickups/collectors/<uuid:collector_id>/route", methods=["GET"])
@blp.arguments(s.CollectorRouteArgs, location="query")
@blp.response(200, s.CollectorRouteSchema)
def collector_route(args, collector_id):
    """A collector's pickups on a day, slot by slot, ordered to cut travel (nearest neighbour + 2-opt)."""
    c, stops, km = dispatch.collector_day(db.session, require_user(), collector_id, args["date"])
    return {"collector": c, "date": args["date"], "distance_km": round(km, 2), "stops": stops}
