"""Availability, booking, the pool, and the pickup's life up to collection."""
from __future__ import annotations

from marketplace.api.pickups import schemas as s
from marketplace.api.pickups.blueprint import blp, notifier, policy
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import clock
from services.accounts.models import Role
from services.flows import collection
from services.pickups import availability as av
from services.pickups import booking, dispatch
from services.pickups.items import parse_query_items


@blp.route("/pickups/availability", methods=["GET"])
@public
@blp.arguments(s.PickupAvailabilityArgs, location="query")
@blp.response(200, s.PickupAvailabilitySchema)
def availability(args):
    """Free slots over the next days, nearest recyclers first, for an address and a list of items
    (items=category:kind, repeated). An address no recycler serves is a 422 `outside_service_area`."""
    addr = av.address(args["region_code"], args["lat"], args["lon"])
    offers = av.availability(db.session, addr, parse_query_items(args["items"]), now=clock.now(db.session),
                             days=args["days"], limit=args["limit"], policy=policy())
    return {"region_code": addr.region_code, "lat": addr.lat, "lon": addr.lon, "recyclers": offers}


@blp.route("/pickups", methods=["POST"])
@idempotent
@blp.arguments(s.PickupCreateSchema)
@blp.response(201, s.PickupSchema)
def create_pickup(data):
    """Book a pickup: with a recycler's slot (direct), the nearest recycler with room (nearest), or
    into the pool for recyclers to claim. Retailers book for their buyer with `consumer_id` and
    `order_id`. A full slot is a 409 `slot_full`; a slot in the past a 422 `slot_in_past`."""
    user = require_user()
    a = data["address"]
    with unit_of_work() as session:
        b = booking.create_booking(
            session, user, av.address(a["region_code"], a["lat"], a["lon"], a["line"]), data["items"],
            data["starts_at"], notifier=notifier(), recycler_id=data["recycler_id"], dispatch=data["dispatch"],
            order_id=data["order_id"], consumer_id=data["consumer_id"], org_id=data["org_id"], policy=policy())
    return b, 201, {"Location": f"/api/v1/pickups/{b.id}"}


@blp.route("/pickups", methods=["GET"])
@blp.arguments(s.PickupListArgs, location="query")
@blp.response(200, page_of(s.PickupSchema))
def list_pickups(args):
    """Pickups you take part in (as consumer, booker or recycler; operators: all), newest first."""
    rows, nxt = booking.list_for(db.session, require_user(), cursor=args["cursor"], limit=args["limit"],
                                 status=args["status"], order_id=args["order_id"])
    return page(rows, nxt)


@blp.route("/pickups/pool", methods=["GET"])
@blp.response(200, s.PoolPickupSchema(many=True))
def pool():
    """Recycler staff: pool requests in your service area that you could claim (no street address)."""
    return booking.pool(db.session, require_user(Role.RECYCLER))


@blp.route("/pickups/<uuid:pickup_id>", methods=["GET"])
@blp.response(200, s.PickupSchema)
def get_pickup(pickup_id):
    """A pickup with its items, where they are, and every status change with its time."""
    return booking.get(db.session, require_user(), pickup_id)


@blp.route("/pickups/<uuid:pickup_id>/reschedule", methods=["POST"])
@blp.arguments(s.PickupRescheduleSchema)
@blp.response(200, s.PickupSchema)
def reschedule(data, pickup_id):
    """Move to another slot before the cut-off (409 `cutoff_passed` after it)."""
    user = require_user()
    with unit_of_work() as session:
        return booking.reschedule(session, user, pickup_id, data["starts_at"], notifier=notifier(),
                                  recycler_id=data["recycler_id"], policy=policy())


@blp.route("/pickups/<uuid:pickup_id>/cancel", methods=["POST"])
@blp.arguments(s.PickupReasonSchema)
@blp.response(200, s.PickupSchema)
def cancel(data, pickup_id):
    """Cancel: the consumer side before the cut-off; the recycler's late cancellation is its no-show."""
    user = require_user()
    with unit_of_work() as session:
        return booking.cancel(session, user, pickup_id, data["reason"], policy=policy())


@blp.route("/pickups/<uuid:pickup_id>/claim", methods=["POST"])
@blp.response(200, s.PickupSchema)
def claim(pickup_id):
    """Recycler staff: take a pool request into your slot covering the wished-for time."""
    user = require_user(Role.RECYCLER)
    with unit_of_work() as session:
        return booking.claim(session, user, pickup_id, notifier=notifier())


@blp.route("/pickups/<uuid:pickup_id>/assign", methods=["POST"])
@blp.arguments(s.PickupAssignSchema)
@blp.response(200, s.PickupSchema)
def assign(data, pickup_id):
    """Recycler staff: give the pickup to a collector."""
    user = require_user()
    with unit_of_work() as session:
        return dispatch.assign(session, user, pickup_id, data["collector_id"])


@blp.route("/pickups/<uuid:pickup_id>/transitions", methods=["POST"])
@blp.arguments(s.PickupTransitionSchema)
@blp.response(200, s.PickupSchema)
def transition(data, pickup_id):
    """Recycler staff: en_route, arrived, delivered_to_facility, processed, or failed with a reason.
    A forbidden move is a 409 naming the allowed ones."""
    user = require_user()
    with unit_of_work() as session:
        return dispatch.advance(session, user, pickup_id, data["to"], data["reason"], notifier=notifier())


@blp.route("/pickups/<uuid:pickup_id>/no-show", methods=["POST"])
@blp.arguments(s.PickupNoShowSchema)
@blp.response(200, s.PickupSchema)
def no_show(data, pickup_id):
    """Report a no-show: the consumer's (recycler, after arriving) or the recycler's (consumer,
    after the slot ended). Recorded in the credit history."""
    user = require_user()
    with unit_of_work() as session:
        return dispatch.no_show(session, user, pickup_id, data["side"], data["note"])


@blp.route("/pickups/<uuid:pickup_id>/collect", methods=["POST"])
@blp.arguments(s.PickupCollectSchema)
@blp.response(201, s.RecyclingVoucherSchema)
def collect(data, pickup_id):
    """Recycler staff: the items are collected and weighed; issues the recycling voucher (回收凭证)."""
    user = require_user()
    weights = {str(w["item_id"]): w["weight_g"] for w in data["items"]}
    with unit_of_work() as session:
        v = collection.collect(session, user, pickup_id, weights, data["facility_id"], notifier=notifier(),
                               scrap_certificate_no=data["scrap_certificate_no"])
    return v, 201, {"Location": f"/api/v1/recycling-vouchers/{v.id}"}
