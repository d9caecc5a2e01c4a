"""Buying: every test hashes passwords cheaply (tests/fixtures/orders.py)."""
import pytest


@pytest.fixture(autouse=True)
def _cheap_passwords(fast_passwords):
    """Buying tests make many accounts; their passwords are not under test."""
