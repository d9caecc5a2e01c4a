"""Checks a listing must pass before it is published, as a typed port.

The checks belong to domains above listings (the data-wipe domain requires a valid certificate
for an electronics device, the blocklist refuses a blocked device), so listings cannot import
them. Whoever publishes passes them in: `services.flows.publishing.PUBLISH_GATES` is the
standard set, handed down by the routes (and by tests) to `service.transition`,
`service.update_listing`, `revisions.edit` and `revisions.approve`/`decide`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.orm import Session

from services.listings.models import Listing


class PublishGate(Protocol):
    def __call__(self, session: Session, listing: Listing) -> None:
        """Raise a DomainError naming the rule when `listing` may not be published."""


def check_publish(session: Session, listing: Listing, gates: Iterable[PublishGate]) -> None:
    """Run every gate on `listing`; the first refusal propagates."""
    for gate in gates:
        gate(session, listing)
