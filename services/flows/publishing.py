"""The publish gates of a listing, in order: what a listing must pass before review or sale.

Listings run them (services/listings/gates.py) but cannot import them: both gates live in
domains that depend on listings. Callers hand this tuple down explicitly.
"""
from __future__ import annotations

from services.blocklist.interface import refuse_blocked_listing
from services.certificates.interface import listing_gate
from services.listings.interface import PublishGate

PUBLISH_GATES: tuple[PublishGate, ...] = (
    refuse_blocked_listing,   # a blocked device is neither submitted nor approved
    listing_gate,             # a data-bearing device needs its valid resale certificate
)
