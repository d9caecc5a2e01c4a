from marketplace import container
from marketplace.openapi import Blueprint
from services.notifications import Notifier
from services.pickups import jobs
from services.pickups.policy import Policy

blp = Blueprint("pickups", __name__, description="Doorstep pickup: recyclers' offer, slots, bookings, "
                                                 "dispatch, tracking and recycling vouchers (回收凭证)")


def policy() -> Policy:
    """The app's booking rules (PICKUP_* settings), built once by create_app."""
    return container.current().deps.pickup_policy


def notifier() -> Notifier:
    """The app's notifier (NOTIFIER), built once by create_app."""
    return container.current().deps.notifier


def close_missed_job(session) -> int:
    """Periodic job: close missed pickups with the configured no-show grace (PICKUP_NO_SHOW_GRACE_MINUTES)."""
    return jobs.close_missed(session)
