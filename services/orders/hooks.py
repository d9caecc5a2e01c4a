"""Where buying meets other domains. Each function is one named call site in the order flow.
Orders sit above certificates, subsidies and the ledger (.importlinter): they call them directly;
none of them calls back into orders except through a port orders pass down (`ORDER_SIDE`).

- Data-wipe gate (certificates): an order of a data-bearing device is not captured while the
  device lacks its identifier or a valid resale certificate (`services.certificates.verify.device_gate`,
  the same gate as listing submit and publish).
- Subsidies (services.subsidies.reservations): reserve on placement when the buyer asks for
  one, redeem on capture, release on cancel (or a refund before capture), claw back on a full
  refund after capture. A partial refund keeps the subsidy: the item stays with the buyer.
- Store credit (services.ledger.spending): spent at placement, given back to the accounts it came
  from when the order is cancelled or fully refunded. Platform-issued credit pays any order (the
  seller's payout includes that part: services.payments recompute); a retailer's credit
  pays only on its own listings (the retailer simply receives less).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.models import User
from services.certificates.interface import device_gate
from services.errors import Conflict, ValidationFailed
from services.ledger import interface as ledger
from services.notifications.interface import money, notify
from services.listings.models import Category
from services.orders.models import Order
from services.orders.subsidy import ORDER_SIDE, evidence, with_defaults
from services.subsidies import interface as reservations


def before_capture(session: Session, order: Order) -> None:
    """Raise (CertificateRequired 409, IdentifierRequired 422) when the item may not be paid out yet."""
    listing = order.listing
    if listing.category != Category.ELECTRONICS:
        return
    device_gate(session, category=listing.category, kind=listing.kind, attributes=listing.attributes,
                device_hash=listing.device_hash, serial_hash=listing.serial_hash)


def subsidy_reserve(session: Session, order: Order, buyer: User, quote_request: dict) -> int:
    """Hold the subsidy of a retailer's sale for this order (the buyer's quote request, priced at
    the order's price); returns the amount taken off at checkout. Raises 422/409 from subsidies
    (buyer not verified, not eligible, budget spent): the order is then not placed."""
    if order.seller_org_id is None:
        raise ValidationFailed("subsidies apply to retailers' sales", fields={"subsidy": ["Not for this listing."]})
    # What is bought is the listing, not what the client says: kind, grades and price come from it;
    # region and date default as on every other path (the listing's region, the day of the order).
    r = reservations.reserve_for_order(session, order.id, org_id=order.seller_org_id, buyer=buyer,
                                       quote_request=with_defaults(session, order, quote_request), evidence=evidence(order))
    if r.total_fen >= order.price_fen:
        raise Conflict("the subsidy would cover the whole price", code="subsidy_exceeds_price")
    return r.total_fen


def subsidy_expired(session: Session, order: Order) -> None:
    """An unpaid order with a subsidy ran out of time (its reservation was released with it): the
    buyer is told once that the subsidy they had reserved expired. No-op without a subsidy."""
    if order.subsidy_fen:
        notify(session, order.buyer_id, "subsidy_expired", event_key=f"order:{order.id}:subsidy_expired",
               params={"amount": money(order.subsidy_fen), "title": order.listing.title},
               ref_type="order", ref_id=order.id)


def subsidy_redeem(session: Session, order: Order) -> None:
    """The payment was captured: the reserved subsidy becomes claimable (no-op without one)."""
    reservations.redeem_order(session, order.id, order_side=ORDER_SIDE)


def subsidy_release(session: Session, order: Order) -> None:
    """Cancelled before capture: the subsidy and the buyer's quota slot are freed."""
    reservations.release_order(session, order.id, reason="order cancelled", order_side=ORDER_SIDE)


def subsidy_clawback(session: Session, order: Order, reason: str) -> None:
    """Fully refunded (the item goes back): the subsidy is clawed back (or released if unredeemed)."""
    reservations.clawback_order(session, order.id, reason=reason[:300], order_side=ORDER_SIDE)


def store_credit_spend(session: Session, order: Order, buyer: User, amount_fen: int, issuer=None) -> int:
    """Pay `amount_fen` of the order with the buyer's store credit (services/ledger/spending.py):
    platform credit on any order, a retailer's credit on that retailer's listings; `issuer` names
    one ('platform' or an org id), None takes the seller's retailer credit first. It may pay the
    whole price left after the subsidy. Sets the order's `store_credit_fen` and
    `platform_credit_fen`. Raises 422 (too much, another retailer's credit) and 409
    `insufficient_store_credit` naming each balance and its issuer."""
    issuer = ledger.parse_issuer(issuer)
    left = order.price_fen - order.subsidy_fen
    if amount_fen > left:
        raise ValidationFailed("store credit cannot pay more than the price",
                               fields={"store_credit_fen": [f"At most {left}."]})
    legs = ledger.plan(session, buyer.id, seller_org_id=order.seller_org_id, amount_fen=amount_fen, issuer=issuer)
    ledger.spend(session, buyer.id, legs, order_id=order.id)
    order.store_credit_fen = amount_fen
    order.platform_credit_fen = sum(leg.amount_fen for leg in legs if leg.org_id is None)
    return amount_fen


def store_credit_refund(session: Session, order: Order) -> None:
    """Give the spent store credit back (cancelled or fully refunded order); no-op without one."""
    if order.store_credit_fen:
        ledger.refund_store_credit(session, order.id)
