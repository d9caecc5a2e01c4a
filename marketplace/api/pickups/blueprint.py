from flask import current_app

from marketplace.openapi import Blueprint
from services.pickups import jobs
from services.pickups.policy import Policy

blp = Blueprint("pickups", __name__, description="Doorstep pickup: recyclers' offer, slots, bookings, "
                                                 "dispatch, tracking and recycling vouchers (回收凭证)")


def policy() -> Policy:
    return Policy.from_config(current_app.config)


def close_missed_job(session) -> int:
    """Periodic job: close missed pickups with the configured no-show grace (PICKUP_NO_SHOW_GRACE_MINUTES)."""
    return jobs.close_missed(session, policy=policy())
