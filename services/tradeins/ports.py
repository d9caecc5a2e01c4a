"""What the trade-in flow needs from outside, behind small interfaces chosen by configuration:
settings, the consumer's credit standing, the cash payout channel and doorstep pickup booking."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from services.credit import service as credit
from services.errors import DomainError, PaymentFailed, ServiceUnavailable
from services.pickups import book_for_trade_in
from services.storage import Storage

log = logging.getLogger(__name__)


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

    def transfer(self, *, amount_fen: int, destination: str | None, idempotency_key: str,
                 metadata: dict) -> str | None:
        """Send cash; returns the channel's reference. Raises PaymentFailed or ServiceUnavailable."""


class OfflinePayouts:
    """Cash paid by staff at handover or by bank transfer outside the system; recorded, not sent."""
    channel = "offline"

    def transfer(self, *, amount_fen, destination, idempotency_key, metadata) -> str | None:
        return None


class StripePayouts:
    """A Stripe transfer to the consumer's connected account (Stripe Connect)."""
    channel = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None, timeout: int = 10):
        import stripe
        kw = {"base_addresses": {"api": api_base}} if api_base else {}
        self._stripe = stripe
        self._client = stripe.StripeClient(api_key, http_client=stripe.new_default_http_client(timeout=timeout),
                                           max_network_retries=2, **kw)

    def transfer(self, *, amount_fen, destination, idempotency_key, metadata) -> str | None:
        stripe = self._stripe
        try:
            t = self._client.v1.transfers.create(
                params={"amount": amount_fen, "currency": "cny", "destination": destination, "metadata": metadata},
                options={"idempotency_key": idempotency_key})
        except stripe.APIConnectionError:
            raise ServiceUnavailable("the payment provider is unreachable", retry_after=30) from None
        except stripe.StripeError as e:
            log.warning("stripe transfer refused", extra={"stripe_code": getattr(e, "code", None)})
            raise PaymentFailed("the transfer was refused by the payment provider",
                                code="transfer_failed") from None
        return t.id


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
