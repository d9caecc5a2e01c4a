"""Pickups: the booking cap is off for every test here; `frozen(at)` freezes the apps' clock."""
import pytest

from tests.factories.app import make_app



@pytest.fixture(scope="session")
def app(db_url, instance_dir, redis_url):
    """The suite's app without the per-account cap on open pickups: these tests fill slots from one
    account; the cap (PICKUP_MAX_OPEN_BOOKINGS) is tested on its own in tests/functional/test_abuse.py."""
    return make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=True, PICKUP_MAX_OPEN_BOOKINGS=0)


@pytest.fixture(scope="session")
def late_client(db_url, instance_dir, redis_url):
    """A client of an app whose consumers may change a pickup only until 3 days before it."""
    return make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=True, PICKUP_MAX_OPEN_BOOKINGS=0,
                    PICKUP_CUTOFF_MINUTES=3 * 24 * 60).test_client()
