"""The pickups blueprint, shared by the route modules of this resource, and the app's pickup
policy and notifier (built once by create_app) that the routes and periodic jobs read."""
from marketplace import container
from marketplace.openapi import Blueprint
from services.notifications import Notifier
from services.pickups.policy import Policy

blp = Blueprint("pickups", __name__, description="Doorstep pickup: recyclers' offer, slots, bookings, "
                                                 "dispatch, tracking and recycling vouchers (回收凭证)")


def policy() -> Policy:
    """The app's booking rules (PICKUP_* settings), built once by create_app."""
    return container.current().deps.pickup_policy


def notifier() -> Notifier:
    """The app's notifier (NOTIFIER), built once by create_app."""
    return container.current().deps.notifier
