"""What other domains use of seller standing: a seller's summary (profiles)."""
from __future__ import annotations

from services.standing.service import summary

__all__ = ["summary"]
