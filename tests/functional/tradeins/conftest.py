import pytest

from tests.factories.tradeins import seed_table


@pytest.fixture
def table(session):
    """The platform price table for an iPhone 13, a Haier fridge and a VW Lavida."""
    seed_table(session)


@pytest.fixture
def frozen(frozen_clock):
    """`frozen(at)` freezes the apps' clock at `at` and returns it (advance() moves it)."""
    return frozen_clock.freeze
