import pytest

from services import clock
from tests.factories.tradeins import seed_table


@pytest.fixture
def table(session):
    """The platform price table for an iPhone 13, a Haier fridge and a VW Lavida."""
    seed_table(session)


@pytest.fixture
def frozen(monkeypatch):
    """`frozen(at)` freezes the services' clock at `at` and returns it (advance() moves it)."""
    def freeze(at):
        fc = clock.FrozenClock(at)
        monkeypatch.setattr(clock, "clock", fc)
        return fc
    return freeze
