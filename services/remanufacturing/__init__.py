"""Remanufactured goods and NEV battery custody (issue 22).

For other domains (functions and frozen dataclasses only):
- `claim_for_listing(session, entry_id, warranty_months, model=None)` -> RemanClaim, or 422 naming
  the field (listings: a remanufactured listing must name a catalogue entry and its warranty).
"""
from services.remanufacturing.catalogue import RemanClaim, claim_for_listing  # noqa: F401

__all__ = ["RemanClaim", "claim_for_listing"]
