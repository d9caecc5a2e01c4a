"""Trade-ins: the clock fixture stays here until tests/fixtures/clock.py replaces it."""
import pytest

from services import clock


@pytest.fixture
def frozen(monkeypatch):
    """`frozen(at)` freezes the services' clock at `at` and returns it (advance() moves it)."""
    def freeze(at):
        fc = clock.FrozenClock(at)
        monkeypatch.setattr(clock, "clock", fc)
        return fc
    return freeze
