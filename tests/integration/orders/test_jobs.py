"""The periodic jobs of buying, with services.clock frozen and moved: reservation expiry,
auto-capture after the acceptance window, review publication, offer expiry."""
from datetime import timedelta

from sqlalchemy import select

from marketplace import jobs as app_jobs
from services.credit.events import CreditEvent
from services.listings.models import Listing, Status as LS
from services.offers import service as offers
from services.offers.models import OfferStatus
from services.orders import jobs, service as orders
from services.orders.models import OrderStatus as S
from services.payments.offline import OfflineGateway
from services.reviews import service as reviews
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, Recording, order_in, publish, stripe_gateway

GW = OfflineGateway()


def test_unpaid_card_order_expires_after_the_reservation_time(session, buyer, seller, operator, frozen):
    gw = Recording(stripe_gateway())
    order = order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator, gateway=gw)
    frozen.advance(timedelta(minutes=29))
    assert jobs.expire_reservations(session, gateway=gw, settings=SETTINGS) == 0
    frozen.advance(timedelta(minutes=2))
    assert jobs.expire_reservations(session, gateway=gw, settings=SETTINGS) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.CANCELLED and order.cancel_reason == "reservation expired unpaid"
    assert session.get(Listing, order.listing_id).status == LS.PUBLISHED
    assert "cancel" in gw.names()
    ev = session.scalar(select(CreditEvent).where(CreditEvent.ref_id == str(order.id)))
    assert ev.kind == "order_cancelled_buyer" and ev.subject_id == buyer.id


def test_paid_orders_do_not_expire_and_cash_orders_wait_longer(session, buyer, seller, operator, stranger, frozen):
    paid = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator)
    cash = order_in(session, S.PAYMENT_PENDING, buyer=stranger, seller=seller, operator=operator)
    frozen.advance(timedelta(hours=47))
    assert jobs.expire_reservations(session, gateway=GW, settings=SETTINGS) == 0
    frozen.advance(timedelta(hours=2))
    assert jobs.expire_reservations(session, gateway=GW, settings=SETTINGS) == 1
    session.commit()
    session.refresh(paid)
    session.refresh(cash)
    assert paid.status == S.PAID_HELD and cash.status == S.CANCELLED
    # a missed cash meeting could be either side's fault: no credit event
    assert session.scalar(select(CreditEvent).where(CreditEvent.ref_id == str(cash.id))) is None


def test_reservation_time_is_configurable(session, buyer, seller, operator, frozen):
    from dataclasses import replace
    quick = replace(SETTINGS, cash_reservation_hours=1)
    listing = publish(session, seller, operator)
    order = orders.place(session, buyer.user, listing.id, gateway=GW, settings=quick)
    session.commit()
    frozen.advance(timedelta(minutes=61))
    assert jobs.expire_reservations(session, gateway=GW, settings=quick) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.CANCELLED


def test_auto_capture_after_the_acceptance_window(session, buyer, seller, operator, frozen):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator)
    assert order.accept_by == frozen.now() + timedelta(days=7)
    frozen.advance(timedelta(days=6, hours=23))
    assert jobs.auto_capture(session, gateway=GW, settings=SETTINGS) == 0
    frozen.advance(timedelta(hours=2))
    assert jobs.auto_capture(session, gateway=GW, settings=SETTINGS) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.COMPLETED and order.accepted_at == frozen.now()


def test_disputed_orders_are_never_auto_captured(session, buyer, seller, operator, frozen):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)
    frozen.advance(timedelta(days=60))
    assert jobs.auto_capture(session, gateway=GW, settings=SETTINGS) == 0
    session.refresh(order)
    assert order.status == S.DISPUTED


def test_dispute_only_within_the_acceptance_window(session, buyer, seller, operator, frozen):
    import pytest
    from services.disputes import service as disputes
    from services.errors import Conflict
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator)
    frozen.advance(timedelta(days=7, minutes=1))
    with pytest.raises(Conflict) as e:
        disputes.open_dispute(session, buyer.user, order.id, reason="not_as_described")
    assert e.value.code == "dispute_window_closed"


def test_reviews_are_hidden_until_both_wrote_or_14_days_passed(session, buyer, seller, operator, stranger, frozen):
    both = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator)
    one = order_in(session, S.COMPLETED, buyer=stranger, seller=seller, operator=operator)
    r1 = reviews.write(session, buyer.user, both.id, stars=5, text="好", settings=SETTINGS)
    assert r1.published_at is None
    r2 = reviews.write(session, seller.user, both.id, stars=4, text="准时", settings=SETTINGS)
    assert r1.published_at == r2.published_at == frozen.now()
    lone = reviews.write(session, stranger.user, one.id, stars=2, text="慢", settings=SETTINGS)
    session.commit()
    frozen.advance(timedelta(days=13, hours=23))
    assert reviews.publish_due(session, SETTINGS) == 0
    frozen.advance(timedelta(hours=2))
    assert reviews.publish_due(session, SETTINGS) == 1
    session.commit()
    session.refresh(lone)
    assert lone.published_at is not None
    stars = sorted(e.value for e in session.scalars(select(CreditEvent).where(CreditEvent.kind == "review_received")))
    assert stars == [2, 4, 5]


def test_offers_expire(session, buyer, seller, operator, frozen):
    listing = publish(session, seller, operator, fridge_payload(negotiable=True))
    offer = offers.make(session, buyer.user, listing.id, amount_fen=120000, message=None, settings=SETTINGS)
    session.commit()
    frozen.advance(timedelta(hours=47))
    assert offers.expire_due(session) == 0
    frozen.advance(timedelta(hours=2))
    assert offers.expire_due(session) == 1
    session.commit()
    session.refresh(offer)
    assert offer.status == OfferStatus.EXPIRED


def test_registered_jobs_run_through_the_app_schedule(app, session, buyer, seller, operator, frozen):
    order = order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator)
    scheduled = [j.run for j in app_jobs.PERIODIC_JOBS]
    for fn in (jobs.expire_reservations, jobs.auto_capture, jobs.settle_payouts, offers.expire_due, reviews.publish_due):
        assert fn in scheduled
    frozen.advance(timedelta(days=3))
    assert app_jobs.run_job(app, app_jobs.scheduled(jobs.expire_reservations)) == 1
    session.refresh(order)
    assert order.status == S.CANCELLED
    for fn in (jobs.auto_capture, jobs.settle_payouts, offers.expire_due, reviews.publish_due):
        assert app_jobs.run_job(app, app_jobs.scheduled(fn)) == 0
