"""The one place that reads the wall clock, so tests can move time.

Each app has its own clock (services.deps.Deps.clock, FrozenClock in tests): services read it
through the session they are given, `clock.now(session)`, a dict lookup on the session.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services import deps

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FrozenClock(Clock):
    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta) -> None:
        self.at = self.at + delta


def now(session: Session) -> datetime:
    """The current UTC time on the clock of the app that made `session`."""
    return deps.of(session).clock.now()


# Times shown to people are China Standard Time with the offset written out; the API and the
# database keep UTC. Every page, PDF, export and notification formats through these two.
def local_iso(at: datetime) -> str:
    """`at` in Asia/Shanghai as ISO 8601 with its offset: 2026-12-05T09:00:00+08:00."""
    return at.astimezone(SHANGHAI).isoformat(timespec="seconds")


def local_text(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """`at` in Asia/Shanghai for reading, offset included: 2026-12-05 09:00 (UTC+08:00)."""
    return f"{at.astimezone(SHANGHAI):{fmt}} (UTC+08:00)"
