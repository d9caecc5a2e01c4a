"""How a trade-in is shown in detail, and the payout that follows an agreed value."""
from __future__ import annotations

from marketplace.api.tradeins.deps import deps
from marketplace.extensions import db
from marketplace.uow import unit_of_work
from services.tradeins import common, handling, resale, settlement
from services.tradeins.models import Status


class TradeInView:
    """A trade-in with its history, photos, payouts, clawbacks and the device's wipe certificate,
    for the detail schema."""

    def __init__(self, session, t):
        self._t = t
        self.events = common.history(session, t)
        self.photos = handling.list_photos(session, t)
        self.payouts = settlement.payouts_for(session, t)
        self.payout = self.payouts[-1] if self.payouts else None
        self.clawbacks = settlement.clawbacks_for(session, t)
        self.certificate = resale.wipe_certificate(session, t)

    def __getattr__(self, name):
        return getattr(self._t, name)


def detail(t) -> TradeInView:
    return TradeInView(db.session, t)


def settle_if_due(t, actor):
    """Pay an agreed value straight away. A cash transfer is sent right after the commit (the
    payments relay); the answer shows its payout `pending`, `sent` or `failed`."""
    if t.status != Status.INSPECTED:
        return t
    with unit_of_work() as session:
        return settlement.settle(session, actor, t.id, deps())
