"""The API's resources. Each resource is a package with routes.py (a `blp` Blueprint) and
schemas.py; add yours to RESOURCES with one line."""
from __future__ import annotations

import importlib

from flask import Flask

RESOURCES = [
    "marketplace.api.tradeins.routes",
    "marketplace.api.ledger.routes",
    "marketplace.api.blocklist.routes",
    "marketplace.api.pickups.routes",
    "marketplace.api.subsidies.routes",
    "marketplace.api.campaigns.routes",
    "marketplace.api.claims.routes",
    "marketplace.api.accounts.routes",
    "marketplace.api.organizations.routes",
    "marketplace.api.listings.routes",
    "marketplace.api.listing_revisions.routes",
    "marketplace.api.search.routes",
    "marketplace.api.certificates.routes",
    "marketplace.api.wipe_requests.routes",
    "marketplace.api.credit.routes",
    "marketplace.api.conversations.routes",
    "marketplace.api.profiles.routes",
    "marketplace.api.watchlist.routes",
    "marketplace.api.orders.routes", "marketplace.api.payments.routes", "marketplace.api.offers.routes", "marketplace.api.reviews.routes", "marketplace.api.disputes.routes", "marketplace.webhooks.routes",  # buying
]


# "module:function" taking the app, for parts that wire more than a blueprint
# (after-commit hooks, readiness checks, extra pages).
INIT_HOOKS: list[str] = [
    "marketplace.api.search.wiring:init_app",
    "marketplace.api.certificates.pages:init_app",
    "marketplace.api.listings.attributes:init_app",
    "marketplace.i18n:init_app",
    "marketplace.enum_docs:init_app",  # after every schema is in the document
    "marketplace.api.conversations.routes:init_app",
    "marketplace.api.listings.sellers:init_app",
    "marketplace.api.disputes.routes:init_app",
    "marketplace.api.watchlist.routes:init_app",
    "marketplace.api.payments.wiring:init_app",  # buying: payment gateway and settings
]


def init_hooks(app: Flask) -> None:
    for path in INIT_HOOKS:
        mod, fn = path.split(":")
        getattr(importlib.import_module(mod), fn)(app)


def register(app: Flask, api) -> None:
    for path in RESOURCES:
        api.register_blueprint(importlib.import_module(path).blp, url_prefix="/api/v1")
