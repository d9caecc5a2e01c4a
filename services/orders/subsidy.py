"""An order's trade-in subsidy as the subsidies domain sees it: the sale facts of an order, the
reservation applied to what the buyer pays, and the guard that keeps an order's reservation in
step with the order (`ORDER_SIDE`, the subsidies domain's `OrderSide` port; the order's own
flows pass it down, services.flows.order_subsidies passes it for the subsidies API).

The rule: the subsidy is part of the price the buyer pays, so it is added to an order, or taken
off it again (the reservation released), only while nothing is paid (order `created` or
`payment_pending`, payment not authorised). The order's `subsidy_fen` and the payment amount
(the provider's intent too) then follow it. Once money is held adding is refused (409
`order_not_awaiting_payment`) and so is releasing (409 `order_applies_subsidy`); the buyer
cancels and orders again.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.models import IdStatus, User
from services.errors import Conflict, NotFound, ValidationFailed
from services.orders import states
from services.orders.models import Order, OrderStatus as S
from services.orders.parties import side
from services.payments import interface as payments
from services.payments.interface import PaymentGateway
from services.payments.models import Payment, PaymentStatus
from services.subsidies.interface import OrderSide, SaleFacts

# What the client may never say about the purchase: it is the listing and the order.
FROM_THE_LISTING = ("kind", "price_fen", "list_price_fen", "discounts_fen", "energy_grade", "water_grade")


def quote_body(order: Order, quote_request: dict) -> dict:
    """The quote request of the order's purchase: region, date and trade-in as the client gave
    them; kind, price and energy/water grades (and a car's powertrain and displacement) from the
    listing and the order, whatever the client said."""
    listing = order.listing
    attrs = listing.attributes or {}
    purchase = quote_request.get("purchase")
    if isinstance(purchase, dict) or purchase is None:   # anything else is left to the parser's 422
        purchase = {k: v for k, v in (purchase or {}).items() if k not in FROM_THE_LISTING}
        facts = {"kind": listing.kind, "price_fen": order.price_fen, "energy_grade": listing.energy_grade,
                 "water_grade": attrs.get("water_grade"), "powertrain": listing.powertrain,
                 "displacement_l": attrs.get("displacement_l")}
        purchase.update({k: v for k, v in facts.items() if v is not None})
        bare = purchase.get("bare_price_fen")
        if isinstance(bare, int) and bare > order.price_fen:   # the base of rate subsidies: bounded by the price
            raise ValidationFailed("the bare price exceeds the order's price",
                                   fields={"purchase.bare_price_fen": [f"At most {order.price_fen}."]})
    return {**quote_request, "purchase": purchase}


def with_defaults(session: Session, order: Order, quote_request: dict | None) -> dict:
    """The client's quote request with what it may leave out filled in from the order, the same on
    every path (placing an order with a subsidy, reserving one for it later): without a region the
    listing's (where the retailer sells), without a date the day the order was placed."""
    placed = (order.created_at or clock.now(session)).astimezone(clock.SHANGHAI).date()
    body = {k: v for k, v in (quote_request or {}).items() if not (k in ("region", "date") and v is None)}
    return quote_body(order, {"region": order.listing.region_code, "date": placed.isoformat(), **body})


def evidence(order: Order) -> dict:
    """The masked facts a reimbursement claim shows for a marketplace sale."""
    listing = order.listing
    return {"listing_id": str(listing.id), "brand": listing.brand, "model": listing.model,
            "device_last4": listing.device_last4, "channel": "marketplace"}


def _awaiting_payment(order: Order, pay: Payment | None) -> bool:
    return order.status in states.UNPAID and (pay is None or pay.status == PaymentStatus.REQUIRES_PAYMENT)


def _not_payable(order: Order) -> Conflict:
    return Conflict(f"a subsidy is applied before the buyer pays; this order is {order.status.value}",
                    code="order_not_awaiting_payment", extra={"order_status": order.status.value})


def sale_facts(session: Session, order_id, *, viewer: User, quote_request: dict | None = None):
    """The order as a subsidy sale, for its buyer, its seller's organisation and operators (None,
    a 404, for anyone else). Locks the order. Raises ValidationFailed when the listing is not a
    retailer's and Conflict `order_not_awaiting_payment` once money is held. Without a region the
    listing's (where the retailer sells) is used; without a date, the day the order was placed."""
    order = session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                           .execution_options(populate_existing=True))
    if order is None:
        return None
    try:
        side(viewer, order)
    except NotFound:
        return None
    if order.seller_org_id is None:
        raise ValidationFailed("subsidies apply to retailers' sales",
                               fields={"order_id": ["Not an order of a retailer's listing."]})
    pay = session.scalar(select(Payment).where(Payment.order_id == order.id).with_for_update())
    if not _awaiting_payment(order, pay):
        raise _not_payable(order)
    buyer = session.get(User, order.buyer_id)
    verified = buyer.id_status == IdStatus.VERIFIED and bool(buyer.id_hash)
    return SaleFacts(org_id=order.seller_org_id, buyer_id_hash=buyer.id_hash if verified else None,
                     buyer_id_last4=buyer.id_last4, quote_request=with_defaults(session, order, quote_request),
                     order_id=order.id, buyer_user_id=buyer.id, evidence=evidence(order))


def apply_reservation(session: Session, reservation, *, gateway: PaymentGateway | None, actor_id=None) -> None:
    """A reservation was just held for the order (through the subsidies API): take it off what the
    buyer pays. The payment's amount changes at the provider after commit (change_amount)."""
    order = session.get(Order, reservation.order_id)
    if reservation.total_fen + order.store_credit_fen >= order.price_fen:
        raise Conflict("the subsidy would cover the whole price", code="subsidy_exceeds_price")
    _set_subsidy(session, order, reservation.total_fen, reservation, gateway=gateway, actor_id=actor_id)


def release_reservation(session: Session, reservation, *, gateway: PaymentGateway | None, actor_id=None) -> None:
    """The order's reservation is being released. Before payment (the guard lets nothing else
    through but a cancelled or refunded order, left as it is): the buyer pays the full price
    again, the order's `subsidy_fen` back to 0 in the caller's transaction, and the payment amount
    up at the provider after its commit (services.payments.interface.change_amount)."""
    order = session.get(Order, reservation.order_id)
    if order is None or order.status not in states.UNPAID or not order.subsidy_fen:
        return
    _set_subsidy(session, order, 0, reservation, gateway=gateway, actor_id=actor_id)


def _set_subsidy(session: Session, order: Order, amount_fen: int, reservation, *, gateway, actor_id) -> None:
    before = order.subsidy_fen
    order.subsidy_fen = amount_fen
    audit.record(session, actor_id, "order.subsidy", "order", order.id, before={"subsidy_fen": before},
                 after={"subsidy_fen": order.subsidy_fen, "reservation_id": str(reservation.id)})
    session.flush()
    pay = session.scalar(select(Payment).where(Payment.order_id == order.id).with_for_update())
    if pay is not None:   # a card's new amount is set at the provider after commit
        payments.change_amount(session, order, pay)


def check_transition(session: Session, reservation, action: str) -> None:
    """Before an order's reservation moves (through the API or the order's own flow), with the
    order locked: redeem only once the order's money is captured; release while nothing is paid
    (the subsidy then comes off the order again: `release_reservation`) or once the order no
    longer takes it off the price (cancelled or refunded). A claw-back is always allowed: the
    retailer gives the subsidy up (or the order was refunded); what the buyer paid does not change."""
    order = session.scalar(select(Order).where(Order.id == reservation.order_id).with_for_update())
    if order is None:
        return
    if action == "redeem" and (order.completed_at is None or order.status == S.CANCELLED):
        raise Conflict("the subsidy of an order is redeemed when its payment is captured",
                       code="order_not_captured", extra={"order_status": order.status.value})
    if action == "release" and order.status not in (S.CANCELLED, S.REFUNDED):
        pay = session.scalar(select(Payment).where(Payment.order_id == order.id))
        if not _awaiting_payment(order, pay):
            raise Conflict("the buyer has paid the subsidised price: cancel the order to release its subsidy",
                           code="order_applies_subsidy", extra={"order_status": order.status.value})


@dataclass(frozen=True)
class _OrderSide:
    """The order's side of its subsidy reservation (services.subsidies.reservations.OrderSide)."""

    def check_transition(self, session: Session, reservation, action: str) -> None:
        check_transition(session, reservation, action)

    def releasing(self, session: Session, reservation, *, gateway, actor_id) -> None:
        release_reservation(session, reservation, gateway=gateway, actor_id=actor_id)


ORDER_SIDE: OrderSide = _OrderSide()
