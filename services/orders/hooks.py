"""Where buying meets other domains. Each function is one named call site in the order flow.

- Data-wipe gate (certificates): an electronics order is not captured while its device lacks a
  valid resale certificate (`services.certificates.verify.require_valid_certificate`).
- Subsidies: reserve on placement, redeem on capture, release on cancel, claw back on refund.
  NOT WIRED YET: services/subsidies/ exposes pool-level `reserve`/`settle` only, with no
  per-order API; these call sites do nothing until it does.
- Store credit from trade-ins: NOT WIRED YET (no spending API exists); orders are paid in full.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.listings.models import Category
from services.orders.models import Order


def before_capture(session: Session, order: Order) -> None:
    """Raise (CertificateRequired, a 409) when the item may not be paid out yet."""
    listing = order.listing
    if listing.category != Category.ELECTRONICS:
        return
    from services.certificates.verify import require_valid_certificate
    if listing.device_hash:
        require_valid_certificate(session, listing.device_hash, serial_hash=listing.serial_hash)
    elif listing.serial_hash:
        require_valid_certificate(session, listing.serial_hash)


def subsidy_reserve(session: Session, order: Order) -> None:
    """Call site: reserve the subsidy of a subsidised item when the order is placed (not wired)."""


def subsidy_redeem(session: Session, order: Order) -> None:
    """Call site: redeem the reserved subsidy when the payment is captured (not wired)."""


def subsidy_release(session: Session, order: Order) -> None:
    """Call site: release the reserved subsidy when the order is cancelled (not wired)."""


def subsidy_clawback(session: Session, order: Order, refunded_fen: int) -> None:
    """Call site: claw the subsidy back when a captured order is refunded (not wired)."""
