"""The periodic jobs of buying, registered in marketplace/jobs.py. Each takes the job's session
and hands the services the app's gateway and settings (jobs run inside an app context). Jobs that
call the payment provider commit after each order (one transaction per item)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace.api.payments.wiring import gateway, settings
from services.offers import service as offers
from services.orders import jobs
from services.payments import relay
from services.reviews import service as reviews


def expire_reservations(session: Session) -> int:
    return jobs.expire_reservations(session, gateway=gateway(), settings=settings(), checkpoint=session.commit)


def auto_capture(session: Session) -> int:
    return jobs.auto_capture(session, gateway=gateway(), settings=settings(), checkpoint=session.commit)


def settle_payouts(session: Session) -> int:
    return jobs.settle_payouts(session, gateway=gateway(), checkpoint=session.commit)


def expire_offers(session: Session) -> int:
    return offers.expire_due(session)


def publish_reviews(session: Session) -> int:
    return reviews.publish_due(session, settings())


def reconcile_payment_operations(session: Session) -> int:
    """Resend payment operations a crash or an outage left unfinished (same idempotency keys),
    send the due ones, flag the hopeless ones for an operator."""
    return relay.reconcile(session, gateway())
