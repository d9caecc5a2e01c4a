"""What other domains use of seller standing: a seller's summary (profiles), and the recounts the
flows call when what standing shows changed (services.flows.sales, services.flows.standing)."""
from __future__ import annotations

from services.standing.service import recount, set_bands, summary

__all__ = ["recount", "set_bands", "summary"]
