"""The composition root: every collaborator of one app, built once in create_app.

`Container` holds the services' `Deps` (which sessions carry to the services, see services/deps.py)
and what only the edge uses. It lives in `app.extensions["container"]`; nothing is kept at module
level, so two apps in one process share nothing. Tests hand their own collaborators to
`create_app(..., deps={"clock": FrozenClock(...), "gateway": recording})` instead of patching modules.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping

from argon2 import PasswordHasher
from flask import Flask, current_app

from services.clock import Clock
from services.conversations.service import ConversationSettings
from services.credit import bureau
from services.credit.registry import ParsedCards
from services.deps import Deps
from services.flows import sales, settlement, standing as standing_flow
from services.disputes.evidence import DisputeSettings
from services.identifiers import IdHasher
from services.notifications import channels as notification_channels, service as notifications
from services.orders.settings import BuyingSettings
from services.payments.gateway import PaymentGateway
from services.payments.offline import OfflineGateway
from services.payments.stripe_gateway import StripeGateway
from services.pickups.policy import Policy
from services.settings import Settings
from services.shipping import ports as shipping_ports
from services.shipping.carriers import CARRIERS
from services.shipping.settings import ShippingSettings
from services.storage import LocalDiskStorage
from services.subsidies.pools import PoolSnapshot
from services.tradeins import ports as tradein_ports
from services.tradeins.payouts import TRADEIN_PAYOUTS
from services.watchlist.service import AlertSettings

KEY = "container"


@dataclass(frozen=True)
class Container:
    deps: Deps                      # what the services reach through their session
    search: Any = None              # marketplace.api.search.wiring.SearchWiring (set once the engine exists)

    @property
    def settings(self) -> Settings:
        return self.deps.settings


def gateway_for(s: Settings) -> PaymentGateway:
    """Stripe with STRIPE_API_KEY, otherwise cash on handover."""
    if s.stripe_api_key:
        return StripeGateway(s.stripe_api_key, api_base=s.stripe_api_base, timeout=float(s.stripe_timeout_seconds))
    return OfflineGateway()


def buying_for(s: Settings) -> BuyingSettings:
    return BuyingSettings(platform_fee_bps=s.platform_fee_bps, reservation_minutes=s.order_reservation_minutes,
                          cash_reservation_hours=s.cash_reservation_hours, auto_capture_days=s.auto_capture_days,
                          review_publish_days=s.review_publish_days, offer_expiry_hours=s.offer_expiry_hours,
                          return_window_days=s.return_window_days,
                          public_base_url=s.public_base_url or "http://127.0.0.1:5000")


def pickup_policy_for(s: Settings) -> Policy:
    return Policy(cutoff=timedelta(minutes=s.pickup_cutoff_minutes), lead=timedelta(minutes=s.pickup_lead_minutes),
                  horizon_days=s.pickup_horizon_days, no_show_grace=timedelta(minutes=s.pickup_no_show_grace_minutes),
                  max_open_bookings=s.pickup_max_open_bookings)


def passwords_for(s: Settings) -> PasswordHasher:
    return PasswordHasher(time_cost=s.password_time_cost, memory_cost=s.password_memory_cost,
                          parallelism=s.password_parallelism)


def tradeins_for(s: Settings, gateway: PaymentGateway, storage) -> tradein_ports.Deps:
    settings = tradein_ports.Settings(quote_valid_days=s.tradein_quote_valid_days,
                                      offer_valid_days=s.tradein_offer_valid_days,
                                      clawback_due_days=s.tradein_clawback_due_days,
                                      prepay_min_score=s.tradein_prepay_min_score,
                                      prepay_limit_fen=s.tradein_standin_limit_fen)
    if s.tradein_credit_source == "standin":
        credit = tradein_ports.FixedScoreCredit(s.tradein_standin_score, settings.prepay_min_score,
                                                settings.prepay_limit_fen)
    else:
        credit = tradein_ports.CreditServicePort(settings.prepay_min_score, s.credit_privileges_file)
    return tradein_ports.Deps(settings=settings, credit=credit, cash=tradein_ports.GatewayPayouts(gateway),
                              storage=storage, pickups=tradein_ports.DoorstepPickups())


def shipping_for(s: Settings) -> ShippingSettings:
    secrets = {code: getattr(s, f"carrier_secret_{code}") for code in CARRIERS}
    return ShippingSettings(deadline_days=s.shipping_deadline_days,
                            webhook_tolerance_seconds=s.carrier_webhook_tolerance_seconds,
                            secrets={code: v for code, v in secrets.items() if v})


def mailer_for(s: Settings):
    return notification_channels.mailer_for(s.smtp_host, port=s.smtp_port, sender=s.smtp_sender, user=s.smtp_user,
                                            password=s.smtp_password, starttls=s.smtp_starttls,
                                            timeout=float(s.smtp_timeout_seconds))


def build_deps(s: Settings, given: Mapping[str, Any] | None = None) -> Deps:
    """The services' collaborators from the settings; `given` replaces any of them by field name
    (the ones derived from others, such as the trade-in payouts, use the replacements)."""
    given = dict(given or {})
    unknown = set(given) - {f.name for f in dataclasses.fields(Deps)}
    if unknown:
        raise TypeError(f"unknown collaborators {sorted(unknown)}")
    base: dict[str, Any] = {"settings": s}
    base["clock"] = given.get("clock") or Clock()
    base["ids"] = given.get("ids") or IdHasher(s.id_hash_key)
    base["notifier"] = given.get("notifier") or notifications.build(s.notifier)
    base["bureau"] = given.get("bureau") or bureau.build(s.credit_bureau_file)
    base["gateway"] = given.get("gateway") or gateway_for(s)
    base["settlement"] = given.get("settlement") or settlement.SETTLEMENT
    base["storage"] = given.get("storage") or LocalDiskStorage(s.storage_dir)
    base["buying"] = given.get("buying") or buying_for(s)
    base["order_hooks"] = given.get("order_hooks") or sales.SALES
    base["review_hooks"] = given.get("review_hooks") or standing_flow.REVIEW_HOOKS
    base["score_hooks"] = given.get("score_hooks") or standing_flow.SCORE_HOOKS
    base["pickup_policy"] = given.get("pickup_policy") or pickup_policy_for(s)
    base["tradeins"] = given.get("tradeins") or tradeins_for(s, base["gateway"], base["storage"])
    base["pools"] = given.get("pools") or PoolSnapshot()
    base["passwords"] = given.get("passwords") or passwords_for(s)
    base["conversations"] = given.get("conversations") or ConversationSettings(
        new_account_hours=s.conversation_new_account_hours,
        new_account_daily_conversations=s.conversation_new_account_daily)
    base["disputes"] = given.get("disputes") or DisputeSettings(evidence_days=s.dispute_evidence_days,
                                                                response_days=s.dispute_response_days)
    base["alerts"] = given.get("alerts") or AlertSettings(period=timedelta(minutes=s.alert_period_minutes))
    base["scorecards"] = given.get("scorecards") or ParsedCards()
    base["shipping"] = given.get("shipping") or shipping_for(s)
    base["carrier"] = given.get("carrier") or shipping_ports.build(s.carrier_source)
    base["mailer"] = given.get("mailer") or mailer_for(s)
    base["sms"] = given.get("sms") or notification_channels.LogSms()
    base["tradein_payouts"] = given.get("tradein_payouts") or TRADEIN_PAYOUTS
    return Deps(**base)


def of(app: Flask) -> Container:
    return app.extensions[KEY]


def current() -> Container:
    """The container of the app handling the current request, job or command."""
    return current_app.extensions[KEY]
