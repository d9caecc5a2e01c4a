"""How a trade-in is shown in detail, and the payout that follows an agreed value."""
from __future__ import annotations

import logging

from marketplace.api.tradeins.deps import deps
from marketplace.extensions import db
from marketplace.uow import unit_of_work
from services.errors import PaymentFailed, ServiceUnavailable
from services.tradeins import common, handling, resale, settlement
from services.tradeins.models import Status, TradeIn

log = logging.getLogger(__name__)


class TradeInView:
    """A trade-in with its history, photos, payouts, clawbacks and the device's wipe certificate,
    for the detail schema."""

    def __init__(self, session, t):
        self._t = t
        self.events = common.history(session, t)
        self.photos = handling.list_photos(session, t)
        self.payouts = settlement.payouts_for(session, t)
        self.clawbacks = settlement.clawbacks_for(session, t)
        self.certificate = resale.wipe_certificate(session, t)

    def __getattr__(self, name):
        return getattr(self._t, name)


def detail(t) -> TradeInView:
    return TradeInView(db.session, t)


def settle_if_due(t, actor):
    """Pay an agreed value straight away; a refused or unreachable transfer leaves the trade-in
    `inspected`, and POST /tradeins/{id}/payout retries."""
    if t.status != Status.INSPECTED:
        return t
    try:
        with unit_of_work() as session:
            return settlement.settle(session, actor, t.id, deps())
    except (PaymentFailed, ServiceUnavailable) as e:
        log.warning("trade-in payout failed; it stays inspected", extra={"tradein_id": str(t.id), "code": e.code})
        return db.session.get(TradeIn, t.id)
