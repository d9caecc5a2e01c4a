"""What the trade-in flow needs from outside, behind small interfaces chosen by configuration:
settings, the consumer's credit standing, the cash payout channel and doorstep pickup booking."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from services.credit import interface as credit
from services.errors import DomainError
from services.payments import interface as payments
from services.pickups.interface import book_for_trade_in
from services.storage import Storage


@dataclass(frozen=True)
class Settings:
    quote_valid_days: int = 7
    offer_valid_days: int = 7          # an unanswered counter-offer then becomes a free return
    clawback_due_days: int = 30
    prepay_min_score: int = 600
    prepay_limit_fen: int = 100_000    # cap used when the credit service gives no limit


class CreditPort(Protocol):
    def prepayment_limit_fen(self, session: Session, user_id) -> int:
        """How much may be paid before inspection (0: not trusted)."""


@dataclass(frozen=True)
class FixedScoreCredit:
    """Stand-in until the credit service exists: everyone has the same configured score."""
    score: int
    min_score: int
    limit_fen: int

    def prepayment_limit_fen(self, session: Session, user_id) -> int:
        return self.limit_fen if self.score >= self.min_score else 0


@dataclass(frozen=True)
class CreditServicePort:
    """The credit domain: trusted when the current score reaches `min_score` and the band's
    privileges allow prepayment; the band's limit applies."""
    min_score: int
    policy_path: str | None = None

    def prepayment_limit_fen(self, session: Session, user_id) -> int:
        view = credit.privileges_for(session, user_id, self.policy_path)
        if view.score < self.min_score or not view.privileges.tradein_prepayment:
            return 0
        return int(view.privileges.tradein_prepayment_limit_fen)


class PayoutGateway(Protocol):
    channel: str

    def destination(self, session: Session, user_id) -> str | None:
        """Where cash can be transferred to the user (None: pay offline). The transfer itself is a
        payment operation sent after commit (services/tradeins/settlement.py)."""


class OfflinePayouts:
    """Cash paid by staff at handover or by bank transfer outside the system: recorded, not sent."""
    channel = "offline"

    def destination(self, session: Session, user_id) -> str | None:
        return None


class GatewayPayouts:
    """Cash through the payments domain's gateway: a Stripe transfer to the consumer's Connect
    account (onboarded with POST /payments/seller-account) when the gateway is Stripe and the
    account can receive payouts; otherwise offline. The transfer is a `tradein_payout` payment
    operation, sent after commit by the payments relay."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.channel = gateway.name

    def destination(self, session: Session, user_id) -> str | None:
        if self.gateway.name != "stripe":
            return None
        acc = payments.account_for(session, owner_user_id=user_id)
        return acc.stripe_account_id if acc is not None and acc.payouts_enabled else None


@dataclass(frozen=True)
class Booked:
    booking_id: str | None
    handler_org_id: object = None   # the recycler that took the slot, when one did


class PickupPort(Protocol):
    def book(self, session: Session, actor, tradein, details: dict) -> Booked:
        """Book a doorstep pickup of the trade-in's item (ValidationFailed/Conflict when it cannot)."""


class DoorstepPickups:
    """The pickup domain's booking (services/pickups): a slot with the nearest, a chosen, or a
    pool recycler; its field errors come back under `handover.`."""

    def book(self, session: Session, actor, tradein, details: dict) -> Booked:
        try:
            b = book_for_trade_in(session, actor, trade_in_id=tradein.id, region_code=details["region_code"],
                                  items=[{"category": tradein.category, "kind": tradein.kind,
                                          "description": f"{tradein.brand} {tradein.model}"}],
                                  starts_at=details["starts_at"], lat=details.get("lat"), lon=details.get("lon"),
                                  address_line=details.get("address") or "", recycler_id=details.get("recycler_id"),
                                  dispatch=details.get("dispatch"))
        except DomainError as e:
            e.fields = {f"handover.{k}": v for k, v in e.fields.items()}
            raise
        recycler = getattr(b, "recycler", None)
        return Booked(str(b.id), recycler.org_id if recycler is not None else None)


class NoPickups:
    """For tests and installations without doorstep pickup: nothing is booked, the handler
    arranges collection and records it (`handling.collect` / `handling.mark_collected`)."""

    def book(self, session: Session, actor, tradein, details: dict) -> Booked:
        return Booked(None)


@dataclass
class Deps:
    settings: Settings = field(default_factory=Settings)
    credit: CreditPort = field(default_factory=lambda: FixedScoreCredit(0, 600, 0))
    cash: PayoutGateway = field(default_factory=OfflinePayouts)
    storage: Storage | None = None
    pickups: PickupPort = field(default_factory=DoorstepPickups)
