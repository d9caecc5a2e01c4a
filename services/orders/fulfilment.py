"""How the item reaches the buyer and what shipping costs whom, fixed at placement from the
listing's terms. Pure: no session, no I/O. What the fee does to the seller's payout is on the
order itself (`Order.carrier_share`, `Order.seller_shipping_fen`), which payments read."""
from __future__ import annotations

from services.errors import Conflict, ValidationFailed
from services.listings.models import Listing
from services.orders.models import Fulfilment, Order, ShippingPayer


def terms(listing: Listing, fulfilment: str) -> tuple[Fulfilment, int, ShippingPayer]:
    """(fulfilment, shipping_fee_fen, shipping_paid_by) of an order placed on `listing`. 422 on
    `fulfilment` when the buyer asks for shipping a listing that is meet-up only."""
    chosen = Fulfilment(fulfilment)
    if chosen == Fulfilment.MEETUP:
        return chosen, 0, ShippingPayer.BUYER
    if listing.shipping_fee_fen is None:
        raise ValidationFailed("this listing is meet-up only", fields={
            "fulfilment": ["The seller offers no shipping for this listing: choose meetup."]})
    payer = ShippingPayer.SELLER if listing.free_shipping else ShippingPayer.BUYER
    return chosen, listing.shipping_fee_fen, payer


def require_meetup(order: Order) -> None:
    """409 `not_a_meetup_order` for a shipped order: its handover is the carrier's delivery report
    (services/shipping/tracking.py), never the seller's word."""
    if order.fulfilment != Fulfilment.MEETUP:
        raise Conflict("this order is shipped: it is handed over when the carrier reports delivery",
                       code="not_a_meetup_order")
