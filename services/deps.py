"""The collaborators of the services, built once per app and reached through the unit of work.

The app's sessionmaker carries them (`sessionmaker(..., info={"deps": deps})`), so every service
that is handed a session can reach the clock, the id hasher, the gateway... of *its* app:
`of(session).clock`. There is no module-level mutable state to configure; two apps in one process
each have their own `Deps`. Functions without a session take what they need as an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:  # annotations only: this module must import nothing that imports it
    from argon2 import PasswordHasher

    from services.conversations.service import ConversationSettings
    from services.credit.registry import ParsedCards
    from services.disputes.evidence import DisputeSettings
    from services.watchlist.service import AlertSettings
    from services.clock import Clock
    from services.credit.bureau import Bureau
    from services.identifiers import IdHasher
    from services.notifications.channels import Mailer, SmsSender
    from services.notifications.service import Notifier
    from services.orders.ports import OrderHooks
    from services.reviews.ports import ReviewHooks
    from services.credit.ports import ScoreHooks
    from services.orders.settings import BuyingSettings
    from services.payments.gateway import PaymentGateway
    from services.payments.ports import Settlement, TradeInPayouts
    from services.pickups.policy import Policy
    from services.settings import Settings
    from services.shipping.ports import Carrier
    from services.shipping.settings import ShippingSettings
    from services.storage import Storage
    from services.subsidies.pools import PoolSnapshot
    from services.tradeins.ports import Deps as TradeInPorts

KEY = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    clock: Clock
    ids: IdHasher
    notifier: Notifier
    bureau: Bureau
    gateway: PaymentGateway
    settlement: Settlement          # what money moved at the provider does to orders (services.flows.settlement)
    storage: Storage
    buying: BuyingSettings          # the knobs of buying, from settings
    order_hooks: OrderHooks         # what a sale does above orders: offers, standing (services.flows.sales)
    review_hooks: ReviewHooks       # published reviews -> seller standing (services.flows.standing)
    score_hooks: ScoreHooks         # new credit scores -> seller standing (services.flows.standing)
    pickup_policy: Policy           # the booking rules, from the PICKUP_* settings
    tradeins: TradeInPorts          # the trade-in flow's ports (credit, payouts, pickups)
    pools: PoolSnapshot             # the subsidy pools snapshot quotes read (per app)
    passwords: PasswordHasher       # argon2 with the PASSWORD_* parameters
    conversations: ConversationSettings  # limits on new accounts' first messages
    disputes: DisputeSettings       # evidence and response windows
    alerts: AlertSettings           # how often a saved search or price-drop digest may alert
    scorecards: ParsedCards         # credit scorecards parsed once per app (documents are immutable)
    shipping: ShippingSettings      # deadline and carrier webhook secrets, from the SHIPPING_/CARRIER_ settings
    carrier: Carrier                # where tracking comes from when not pushed (the stand-in in the demo)
    mailer: Mailer                  # email (SMTP_*; a log stand-in without SMTP_HOST)
    sms: SmsSender                  # SMS (a log stand-in)
    tradein_payouts: TradeInPayouts  # what a trade-in cash transfer's answer does (services.tradeins.payouts)


def of(session: Session) -> Deps:
    """The collaborators of the app that made `session` (RuntimeError when it was made by none)."""
    try:
        return session.info[KEY]
    except KeyError:
        raise RuntimeError("this session carries no services.deps.Deps: make sessions with the app's "
                           "sessionmaker (marketplace.extensions.db.factory) or pass "
                           "info={'deps': deps}") from None


def session_info(deps: Deps) -> dict:
    """The `info=` to build a sessionmaker whose sessions carry `deps`."""
    return {KEY: deps}
