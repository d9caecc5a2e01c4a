"""What other domains use of credit: recording the events that scores are computed from
(`KINDS` lists them; credit sits below every domain that records events)."""
from __future__ import annotations

from services.credit.events import KINDS, record_event, record_event_once

__all__ = ["KINDS", "record_event", "record_event_once"]
