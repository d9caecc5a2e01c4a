"""The pickups blueprint, shared by the route modules of this resource, and the pickup policy
the routes and the periodic jobs read from the app's configuration."""
from flask import current_app

from marketplace.openapi import Blueprint
from services.pickups.policy import Policy

blp = Blueprint("pickups", __name__, description="Doorstep pickup: recyclers' offer, slots, bookings, "
                                                 "dispatch, tracking and recycling vouchers (回收凭证)")


def policy() -> Policy:
    return Policy.from_config(current_app.config)
