"""What orders need from the domains above them, passed down (docs/CONVENTIONS.md, "Cross-domain
hooks"): orders sit below offers and seller standing, so a sale that must end the listing's open
offers, or an order entering or leaving `completed` (the parties' completed trades), calls this
port, implemented by services.flows.sales (`SALES`) and handed down by the composition root as
the collaborator `services.deps.of(session).order_hooks`. No stand-in: a session without it fails
loudly."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from services import deps

if TYPE_CHECKING:
    from services.orders.models import Order


class OrderHooks(Protocol):
    def completed(self, session: Session, order: Order) -> None:
        """`order` just moved to completed (its money is captured): the listing is sold. Runs in
        the completing transaction, so it commits or rolls back with the order."""

    def trades_changed(self, session: Session, order: Order) -> None:
        """`order` entered or left `completed`: its buyer's and seller's completed trades changed
        (the order's new status is flushed first)."""


def order_hooks(session: Session) -> OrderHooks:
    return deps.of(session).order_hooks
