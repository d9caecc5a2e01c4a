"""One composition root (issue 20.1): every collaborator is built per app by create_app and reaches
the services through the app's sessions, so two apps in one process share nothing."""
from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import Session

from marketplace import container
from marketplace.extensions import db
from services import clock, deps, identifiers
from services.clock import FrozenClock
from services.payments.offline import OfflineGateway
from tests.factories.app import make_app

IMEI = "490154203237518"
MAY, JUNE = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc), datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


def _hash_and_time(app):
    with app.app_context():
        return identifiers.hmac_hash(db.session, IMEI, purpose="device"), clock.now(db.session)


def test_two_apps_in_one_process_share_nothing(db_url, instance_dir, tmp_path, consumer):
    first = make_app(db_url, instance_dir, ID_HASH_KEY="first-key", deps={"clock": FrozenClock(MAY)})
    first_engine = first.extensions["db"].engine
    before = _hash_and_time(first)
    second = make_app(f"sqlite:///{tmp_path / 'second.db'}", instance_dir, ID_HASH_KEY="second-key",
                      deps={"clock": FrozenClock(JUNE)})

    assert _hash_and_time(first) == before and before[1] == MAY
    assert _hash_and_time(second)[1] == JUNE
    assert _hash_and_time(second)[0] != before[0]
    # The first app's database is still its own: the second did not rebind a shared engine.
    assert first.extensions["db"].engine is first_engine and first_engine.dialect.name == db_url.split(":")[0].split("+")[0]
    assert second.extensions["db"].engine.dialect.name == "sqlite"
    with first.app_context():
        assert db.session.get_bind() is first_engine
    r = first.test_client().get("/api/v1/accounts/me", headers=consumer.headers)
    assert r.status_code == 200 and r.json["id"] == str(consumer.id)
    # Nothing else is shared either: each app has its own container, collaborators and API.
    c1, c2 = container.of(first), container.of(second)
    for name in ("clock", "ids", "gateway", "notifier", "bureau", "storage", "pools", "tradeins"):
        assert getattr(c1.deps, name) is not getattr(c2.deps, name), name
    assert first.extensions["huanxin.api"] is not second.extensions["huanxin.api"]


def test_a_test_hands_its_own_collaborators_to_create_app(db_url, instance_dir):
    gateway = OfflineGateway()
    app = make_app(db_url, instance_dir, deps={"gateway": gateway, "clock": FrozenClock(JUNE)})
    c = container.of(app)
    assert c.deps.gateway is gateway and c.deps.tradeins.cash.gateway is gateway  # derived ports use it too
    with app.app_context():
        assert deps.of(db.session) is c.deps and clock.now(db.session) == JUNE


def test_unknown_collaborators_are_refused(db_url, instance_dir):
    with pytest.raises(TypeError, match="unknown collaborators"):
        make_app(db_url, instance_dir, deps={"clok": FrozenClock(MAY)})


def test_a_session_from_outside_an_app_says_so(app):
    with Session(app.extensions["db"].engine) as bare:
        with pytest.raises(RuntimeError, match="services.deps.Deps"):
            clock.now(bare)


def test_the_frozen_clock_fixture_moves_the_apps_clock(app, session, frozen_clock):
    frozen_clock.freeze(MAY)
    assert clock.now(session) == MAY
    frozen_clock.advance(JUNE - MAY)
    assert clock.now(session) == JUNE
