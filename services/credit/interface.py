"""What other domains use of credit: recording the events that scores are computed from
(`KINDS` lists them; credit sits below every domain that records events), and the privileges a subject's score
earns (listing trust, trade-in prepayment)."""
from __future__ import annotations

from services.credit.events import KINDS, record_event, record_event_once
from services.credit.service import PrivilegeView, privileges_for

__all__ = ["KINDS", "PrivilegeView", "privileges_for", "record_event", "record_event_once"]
