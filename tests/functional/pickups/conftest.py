"""Pickups: the booking cap is off for every test here; the clock fixture stays here until
tests/fixtures/clock.py replaces it."""
import pytest

from services import clock


@pytest.fixture
def frozen(monkeypatch):
    """Move the services' clock: `frozen(at)` freezes it at `at`."""
    def freeze(at):
        fc = clock.FrozenClock(at)
        monkeypatch.setattr(clock, "clock", fc)
        return fc
    return freeze


@pytest.fixture(autouse=True)
def _no_open_booking_cap(app, monkeypatch):
    # These tests fill slots from one account; the per-account cap (PICKUP_MAX_OPEN_BOOKINGS) is
    # tested on its own in tests/functional/test_abuse.py.
    monkeypatch.setitem(app.config, "PICKUP_MAX_OPEN_BOOKINGS", 0)
