"""The API's resources and the app wiring beyond their blueprints, listed here once as objects
(kept out of marketplace/api/__init__.py so that importing one resource's module loads only it).

A resource is a package with a `blp` Blueprint: either routes.py declaring it (most), or a
blueprint.py shared by several route modules that the package's __init__ imports and lists in
ROUTE_MODULES (pickups, tradeins). Add a resource's blueprint to RESOURCES with one line, and a
function taking the app to INIT_HOOKS when the resource wires more than a blueprint."""
from __future__ import annotations

from typing import Callable

from flask import Flask

from marketplace import enum_docs, i18n
from marketplace.api import pickups, tradeins
from marketplace.api.accounts import routes as accounts
from marketplace.api.blocklist import routes as blocklist
from marketplace.api.campaigns import routes as campaigns
from marketplace.api.certificates import pages as certificate_pages
from marketplace.api.certificates import routes as certificates
from marketplace.api.claims import routes as claims
from marketplace.api.conversations import routes as conversations
from marketplace.api.credit import routes as credit
from marketplace.api.disputes import routes as disputes
from marketplace.api.ledger import routes as ledger
from marketplace.api.listing_revisions import routes as listing_revisions
from marketplace.api.listings import attributes as listing_attributes
from marketplace.api.listings import routes as listings
from marketplace.api.listings import sellers as listing_sellers
from marketplace.api.notifications import routes as notifications
from marketplace.api.notifications import wiring as notifications_wiring
from marketplace.api.offers import routes as offers
from marketplace.api.orders import routes as orders
from marketplace.api.organizations import routes as organizations
from marketplace.api.payments import routes as payments
from marketplace.api.payments import wiring as payments_wiring
from marketplace.api.profiles import routes as profiles
from marketplace.api.remanufacturing import routes as remanufacturing
from marketplace.api.reviews import routes as reviews
from marketplace.api.search import routes as search
from marketplace.api.search import wiring as search_wiring
from marketplace.api.shipments import routes as shipments
from marketplace.api.subsidies import routes as subsidies
from marketplace.api.watchlist import routes as watchlist
from marketplace.api.wipe_requests import routes as wipe_requests
from marketplace.openapi import Blueprint
from marketplace.webhooks import routes as webhooks

RESOURCES: list[Blueprint] = [
    tradeins.blp,
    ledger.blp,
    blocklist.blp,
    pickups.blp,
    subsidies.blp,
    campaigns.blp,
    claims.blp,
    accounts.blp,
    organizations.blp,
    listings.blp,
    listing_revisions.blp,
    search.blp,
    certificates.blp,
    wipe_requests.blp,
    credit.blp,
    conversations.blp,
    profiles.blp,
    watchlist.blp,
    remanufacturing.blp,
    orders.blp, payments.blp, offers.blp, reviews.blp, disputes.blp, webhooks.blp,  # buying
    shipments.blp, notifications.blp,
]


# Functions taking the app, for parts that wire more than a blueprint (after-commit hooks,
# readiness checks, extra pages), run in this order after every blueprint is registered.
INIT_HOOKS: list[Callable[[Flask], None]] = [
    search_wiring.init_app,
    certificate_pages.init_app,
    listing_attributes.init_app,
    i18n.init_app,
    enum_docs.init_app,  # after every schema is in the document
    listing_sellers.init_app,
    notifications_wiring.init_app,  # outside-channel notifications sent after commit
    payments_wiring.init_app,  # buying: payment gateway and settings
]


def init_hooks(app: Flask) -> None:
    for hook in INIT_HOOKS:
        hook(app)


def register(app: Flask, api) -> None:
    for blp in RESOURCES:
        api.register_blueprint(blp, url_prefix="/api/v1")
