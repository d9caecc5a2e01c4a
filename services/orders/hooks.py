"""Where buying meets other domains. Each function is one named call site in the order flow.

- Data-wipe gate (certificates): an order of a data-bearing device is not captured while the
  device lacks its identifier or a valid resale certificate (`services.certificates.verify.device_gate`,
  the same gate as listing submit and publish).
- Subsidies (services.subsidies.reservations): reserve on placement when the buyer asks for
  one, redeem on capture, release on cancel (or a refund before capture), claw back on a full
  refund after capture. A partial refund keeps the subsidy: the item stays with the buyer.
- Store credit from trade-ins (services.ledger.service): spent at placement, given back when the
  order is cancelled or fully refunded. Only credit issued by the seller's own organisation is
  spendable on its listings (the retailer simply receives less); platform-issued credit would
  need the platform to pay the seller that part and is not accepted on orders yet.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.models import User
from services.errors import Conflict, ValidationFailed
from services.listings.models import Category
from services.orders.models import Order
from services.orders.subsidy import evidence, quote_body


def before_capture(session: Session, order: Order) -> None:
    """Raise (CertificateRequired 409, IdentifierRequired 422) when the item may not be paid out yet."""
    listing = order.listing
    if listing.category != Category.ELECTRONICS:
        return
    from services.certificates.verify import device_gate
    device_gate(session, category=listing.category, kind=listing.kind, attributes=listing.attributes,
                device_hash=listing.device_hash, serial_hash=listing.serial_hash)


def subsidy_reserve(session: Session, order: Order, buyer: User, quote_request: dict) -> int:
    """Hold the subsidy of a retailer's sale for this order (the buyer's quote request, priced at
    the order's price); returns the amount taken off at checkout. Raises 422/409 from subsidies
    (buyer not verified, not eligible, budget spent): the order is then not placed."""
    from services.subsidies import reservations
    if order.seller_org_id is None:
        raise ValidationFailed("subsidies apply to retailers' sales", fields={"subsidy": ["Not for this listing."]})
    # What is bought is the listing, not what the client says: kind, grades and price come from it.
    r = reservations.reserve_for_order(session, order.id, org_id=order.seller_org_id, buyer=buyer,
                                       quote_request=quote_body(order, quote_request), evidence=evidence(order))
    if r.total_fen >= order.price_fen:
        raise Conflict("the subsidy would cover the whole price", code="subsidy_exceeds_price")
    return r.total_fen


def subsidy_redeem(session: Session, order: Order) -> None:
    """The payment was captured: the reserved subsidy becomes claimable (no-op without one)."""
    from services.subsidies import reservations
    reservations.redeem_order(session, order.id)


def subsidy_release(session: Session, order: Order) -> None:
    """Cancelled before capture: the subsidy and the buyer's quota slot are freed."""
    from services.subsidies import reservations
    reservations.release_order(session, order.id, reason="order cancelled")


def subsidy_clawback(session: Session, order: Order, reason: str) -> None:
    """Fully refunded (the item goes back): the subsidy is clawed back (or released if unredeemed)."""
    from services.subsidies import reservations
    reservations.clawback_order(session, order.id, reason=reason[:300])


def store_credit_spend(session: Session, order: Order, buyer: User, amount_fen: int) -> int:
    """Pay `amount_fen` of the order with the buyer's store credit at the seller's organisation.
    Raises 422 when that is not possible and 409 (insufficient_store_credit) when the balance is short."""
    from services.ledger import service as ledger
    if order.seller_org_id is None:
        raise ValidationFailed("store credit is spent at the retailer that issued it",
                               fields={"store_credit_fen": ["Not for this listing."]})
    if amount_fen >= order.price_fen - order.subsidy_fen:
        raise ValidationFailed("store credit must leave something to pay",
                               fields={"store_credit_fen": [f"Less than {order.price_fen - order.subsidy_fen}."]})
    ledger.spend_store_credit(session, buyer.id, order.seller_org_id, amount_fen, order_id=order.id)
    return amount_fen


def store_credit_refund(session: Session, order: Order) -> None:
    """Give the spent store credit back (cancelled or fully refunded order); no-op without one."""
    if order.store_credit_fen:
        from services.ledger import service as ledger
        ledger.refund_store_credit(session, order.id)
