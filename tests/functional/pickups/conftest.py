import pytest

from services import clock
from services.accounts.models import Role
from tests.factories.accounts import make_user
from tests.factories.pickups import collector, facility, put_offer


@pytest.fixture
def offer(client, recycler):
    """`recycler`'s offer serving Taiyuan, with a collection point and the owner as collector."""
    o = put_offer(client, recycler)
    o["facility"] = facility(client, recycler)
    o["collector"] = collector(client, recycler)
    return o


@pytest.fixture
def other_recycler(session):
    return make_user(session, Role.RECYCLER)


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
