"""The one test clock of the suite (the `frozen_clock` fixture in tests/fixtures/clock.py moves it).

Every app the tests build (tests/factories/app.py make_app) is given TEST_CLOCK as its clock through
`create_app(..., deps={"clock": ...})`: no module is patched. It reads the real time until a test
freezes it with the `frozen_clock` fixture, which thaws it again afterwards, so one test's frozen
time never leaks into the next.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.clock import Clock


class TestClock(Clock):
    """Real time, or `at` once frozen; `advance` moves a frozen clock (and freezes a running one)."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self) -> None:
        self.at: datetime | None = None

    def now(self) -> datetime:
        return self.at if self.at is not None else datetime.now(timezone.utc)

    def freeze(self, at: datetime) -> "TestClock":
        if at.tzinfo is None:
            raise ValueError("freeze at an aware (UTC) datetime")
        self.at = at
        return self

    def advance(self, delta: timedelta) -> None:
        self.at = self.now() + delta

    def thaw(self) -> None:
        self.at = None


# The test apps' clock: made here once, handed to each app explicitly by make_app.
TEST_CLOCK = TestClock()
