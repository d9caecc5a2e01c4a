"""What the typed seams promise (docs/CONVENTIONS.md, "Cross-domain hooks"), on real PostgreSQL:
a port a lower domain needs cannot be left out, and what a hook did before still happens."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.accounts.models import IdStatus, Role
from services.credit import batch
from services.credit.events import CreditEvent
from services.credit.models import CreditScore
from services.errors import Conflict
from services.flows import identity, order_subsidies
from services.orders import service as orders
from services.orders.models import OrderStatus as S
from services.payments.offline import OfflineGateway
from services.reviews import service as reviews
from services.standing.models import SellerStanding
from services.subsidies import pools, reservations
from services.subsidies.models import ReservationStatus as RS
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, Recording, order_in, publish, stripe_gateway
from tests.factories.subsidies import resident_id

QUOTE = {"region": "141100", "date": "2025-06-01",
         "purchase": {"kind": "television", "price_fen": 1, "energy_grade": 5}}


@pytest.fixture
def subsidised_order(session, retailer, operator):
    pools.create_pool(session, operator.id, "CN-2025-appliance", "140000", 10_000_000)
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    order = orders.place(session, buyer.user, listing.id, gateway=Recording(stripe_gateway()), settings=SETTINGS,
                         subsidy_request=QUOTE)
    session.commit()
    return order, reservations.for_order(session, order.id)


def test_an_orders_reservation_does_not_move_without_the_orders_side(session, subsidised_order):
    order, r = subsidised_order
    with pytest.raises(ValueError, match="order_side"):
        reservations.redeem(session, r.id)
    session.rollback()
    # Through the flow the order's guard speaks: an order not captured yet is not redeemed.
    with pytest.raises(Conflict) as e:
        order_subsidies.redeem(session, r.id)
    assert e.value.code == "order_not_captured"
    session.rollback()
    assert reservations.get(session, r.id).status == RS.RESERVED


def test_the_credit_batch_updates_the_band_sellers_show(session, consumer):
    assert batch.recompute_many(session, [consumer.id]) == 1
    band = session.scalar(select(CreditScore.band).where(CreditScore.subject_id == consumer.id)
                          .order_by(CreditScore.computed_at.desc()).limit(1))
    assert session.get(SellerStanding, consumer.id).credit_band == band


def test_verifying_an_identity_counts_for_credit(session, operator):
    person = make_user(session, Role.CONSUMER)
    person.user.id_status, person.user.id_hash, person.user.id_last4 = IdStatus.PENDING, "h" * 64, "1234"
    session.flush()
    identity.review_identity(session, operator.user, person.id, IdStatus.VERIFIED)
    kinds = session.scalars(select(CreditEvent.kind).where(CreditEvent.subject_id == person.id)).all()
    assert kinds == ["identity_verified"]


def test_standing_follows_a_sale_its_refund_and_a_review_the_window_published(session, consumer, operator, freeze):
    """Orders and reviews call their ports where the change happens (services.flows.sales,
    services.flows.standing); the seller's standing row follows without any session hook."""
    fc = freeze(datetime.now(timezone.utc))
    buyer = make_user(session, Role.CONSUMER)
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    standing = session.get(SellerStanding, consumer.id)
    assert standing.completed_trades == 1 and standing.rating_count == 0
    reviews.write(session, buyer.user, order.id, stars=4, text="ok", settings=SETTINGS)
    session.commit()
    assert session.get(SellerStanding, consumer.id).rating_count == 0      # one side only: hidden
    fc.advance(SETTINGS.review_window + timedelta(minutes=1))
    assert reviews.publish_due(session, SETTINGS) == 1
    session.commit()
    session.expire_all()
    standing = session.get(SellerStanding, consumer.id)
    assert (standing.rating_count, standing.rating_sum) == (1, 4)
    orders.refund(session, operator.user, order.id, gateway=OfflineGateway(), amount_fen=None, reason="退货")
    session.commit()
    session.expire_all()
    assert session.get(SellerStanding, consumer.id).completed_trades == 0
