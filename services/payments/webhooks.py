"""Stripe events, received once. The edge verifies the signature; here each event id is stored once
(a replay changes nothing) and the handler is chosen from a table the caller passes: payments'
own (`HANDLERS`: a seller account's state) joined by services.flows.settlement's, which lock the
order and payment rows (order first, as everywhere else) and move orders and disputes. Payments
sits below orders and never imports them.
"""
from __future__ import annotations

from typing import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.errors import ValidationFailed
from services.payments import service as payments
from services.payments.gateway import PaymentGateway
from services.payments.models import Payout, PayoutStatus, SellerAccount, StripeEvent
from services.payments.ports import settlement

Handler = Callable[[Session, dict, dict, PaymentGateway], str]


def handle(session: Session, event: dict, *, gateway: PaymentGateway, handlers: Mapping[str, Handler]) -> str:
    """Apply one verified Stripe event with its handler in `handlers` (by event type; "ignored"
    without one); returns the outcome ("duplicate" for a replay). A handler raises Conflict when
    the event refers to an order this service has not committed yet, so that Stripe delivers it
    again later (the event id is not kept in that case)."""
    evt_id, evt_type = event.get("id"), event.get("type")
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if not isinstance(evt_id, str) or not isinstance(evt_type, str) or not isinstance(obj, dict):
        raise ValidationFailed("not a Stripe event", fields={"_schema": ["id, type and data.object required."]})
    row = StripeEvent(id=evt_id[:255], type=evt_type[:100], outcome="processing", received_at=clock.now(session))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return "duplicate"
    handler = handlers.get(evt_type)
    row.outcome = handler(session, obj, event, gateway) if handler else "ignored"
    session.flush()
    return row.outcome


def on_account_updated(session, acct, event, gateway) -> str:
    account = session.scalar(select(SellerAccount).where(SellerAccount.stripe_account_id == acct.get("id"))
                             .with_for_update())
    if account is None:
        return "ignored"
    created = int(event.get("created") or 0)
    if created < account.synced_event_at:
        return "stale"   # an older snapshot of the account arrived after a newer one
    account.synced_event_at = created
    account.charges_enabled = bool(acct.get("charges_enabled"))
    account.payouts_enabled = bool(acct.get("payouts_enabled"))
    account.details_submitted = bool(acct.get("details_submitted"))
    if account.payouts_enabled:
        owner = (Payout.owner_org_id == account.owner_org_id) if account.owner_org_id else \
                (Payout.owner_user_id == account.owner_user_id)
        for order_id in session.scalars(select(Payout.order_id).where(owner, Payout.status == PayoutStatus.PENDING)):
            payments.settle_payout(session, settlement(session).lock_order(session, order_id), gateway)
    return "processed"


# The events payments handles itself; the settlement flow adds the ones that move orders.
HANDLERS: dict[str, Handler] = {
    "account.updated": on_account_updated,
}
