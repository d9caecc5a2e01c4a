"""Buying: every test hashes passwords cheaply (tests/fixtures/orders.py); the frozen clock stays
imported from the factories until tests/fixtures/clock.py replaces it."""
import pytest

from tests.factories.orders import frozen  # noqa: F401


@pytest.fixture(autouse=True)
def _cheap_passwords(fast_passwords):
    """Buying tests make many accounts; their passwords are not under test."""
