"""Every order action from every state, through the real services on PostgreSQL: the allowed
ones land in the expected state, the forbidden ones are a 409 and change nothing."""
import pytest
from sqlalchemy import select

from services.audit import AuditEntry
from services.disputes import service as disputes
from services.errors import Conflict
from services.listings.models import Listing, Status as LS
from services.orders import service as orders
from services.orders.models import OrderStatus as S
from services.payments.offline import OfflineGateway
from tests.factories.orders import SETTINGS, order_in

GW = OfflineGateway()

ACTIONS = {
    "cancel": (lambda s, o, b, sl: orders.cancel(s, b.user, o.id, gateway=GW, reason="changed my mind"),
               {S.CREATED: S.CANCELLED, S.PAYMENT_PENDING: S.CANCELLED, S.PAID_HELD: S.CANCELLED}),
    "hand_over": (lambda s, o, b, sl: orders.hand_over(s, sl.user, o.id, settings=SETTINGS),
                  {S.PAID_HELD: S.HANDED_OVER}),
    "confirm_cash": (lambda s, o, b, sl: orders.confirm_cash(s, sl.user, o.id, settings=SETTINGS),
                     {S.PAYMENT_PENDING: S.HANDED_OVER}),
    "accept": (lambda s, o, b, sl: orders.accept(s, b.user, o.id, gateway=GW),
               {S.PAID_HELD: S.COMPLETED, S.HANDED_OVER: S.COMPLETED}),
    "refund": (lambda s, o, b, sl: orders.refund(s, sl.user, o.id, gateway=GW, amount_fen=None, reason="returned"),
               {S.COMPLETED: S.REFUNDED}),
    "dispute": (lambda s, o, b, sl: disputes.open_dispute(s, b.user, o.id, reason="not_received"),
                {S.PAID_HELD: S.DISPUTED, S.HANDED_OVER: S.DISPUTED}),
}
LISTING_AFTER = {S.CANCELLED: LS.PUBLISHED, S.COMPLETED: LS.SOLD, S.REFUNDED: LS.SOLD,
                 S.HANDED_OVER: LS.RESERVED, S.DISPUTED: LS.RESERVED}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("state", list(S), ids=lambda s: s.value)
def test_action_from_state(session, buyer, seller, operator, state, action):
    order = order_in(session, state, buyer=buyer, seller=seller, operator=operator)
    run, allowed = ACTIONS[action]
    audit_before = session.scalar(select(AuditEntry.id).where(AuditEntry.target_id == str(order.id))
                                  .order_by(AuditEntry.at.desc()).limit(1))
    if state in allowed:
        run(session, order, buyer, seller)
        session.commit()
        session.refresh(order)
        assert order.status == allowed[state]
        assert session.get(Listing, order.listing_id).status == LISTING_AFTER[order.status]
        last = session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(order.id))
                               .order_by(AuditEntry.at.desc())).first()
        assert last.id != audit_before
    else:
        listing_before = session.get(Listing, order.listing_id).status
        with pytest.raises(Conflict) as e:
            run(session, order, buyer, seller)
        session.rollback()
        assert e.value.status == 409
        session.refresh(order)
        assert order.status == state
        assert session.get(Listing, order.listing_id).status == listing_before
