"""pytest fixtures built on the factories."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from services.accounts.models import Role
from tests.factories.accounts import make_user
from tests.factories.certificates import certify
from tests.factories.listings import phone_payload


@pytest.fixture
def consumer(session):
    return make_user(session, Role.CONSUMER)


@pytest.fixture
def other_consumer(session):
    return make_user(session, Role.CONSUMER)


@pytest.fixture
def retailer(session):
    return make_user(session, Role.RETAILER)


@pytest.fixture
def recycler(session):
    return make_user(session, Role.RECYCLER)


@pytest.fixture
def operator(session):
    return make_user(session, Role.OPERATOR)


@pytest.fixture
def published_listing(app, session, client, consumer, operator):
    """A phone listing by `consumer`, wipe-certified, submitted and approved: returns its JSON."""
    payload = phone_payload()
    certify(session, app.extensions["huanxin.cert_keyring"], imei=payload["attributes"]["imei"],
            serial=payload["attributes"]["serial_number"])
    r = client.post("/api/v1/listings", json=payload, headers=consumer.headers)
    assert r.status_code == 201, r.json
    lid = r.json["id"]
    assert client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"},
                       headers=consumer.headers).status_code == 200
    r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "approve"}, headers=operator.headers)
    assert r.status_code == 200, r.json
    return r.json


@pytest.fixture
def live_url(app):
    """The app served on a free loopback port for the duration of a test (browser tests)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
