"""Issue 13 item 2: a device's certificate is shown where buyers look (one listing, the index,
search hits, with a `certified` filter on both backends), its owner sees their certificates, and
anyone can look a device up by IMEI or serial without the identifier being echoed."""
import uuid

import pytest

from services.accounts.models import Organization
from tests.factories.app import make_app
from tests.factories.certificates import certify
from tests.factories.listings import fridge_payload, imei, phone_payload

SEARCH = "/api/v1/search"


def publish(client, seller, operator, payload):
    r = client.post("/api/v1/listings", json=payload, headers=seller.headers)
    assert r.status_code == 201, r.json
    for action, who in (("submit", seller), ("approve", operator)):
        r = client.post(f"/api/v1/listings/{r.json['id']}/transitions", json={"action": action},
                        headers=who.headers)
        assert r.status_code == 200, r.json
    return r.json


def certified_phone(client, session, ring, seller, operator, team):
    payload = phone_payload()
    cert = certify(session, ring, imei=payload["attributes"]["imei"], serial=None, team=team)
    return publish(client, seller, operator, payload), cert, payload["attributes"]["imei"]


def search_ids(client, **params):
    r = client.get(SEARCH, query_string=params)
    assert r.status_code == 200, r.json
    return [i["id"] for i in r.json["items"]], r.json["items"]


@pytest.mark.smoke
def test_a_listing_shows_its_certificate_everywhere_and_search_filters_on_it(
        client, session, ring, consumer, operator, team):
    listing, cert, _ = certified_phone(client, session, ring, consumer, operator, team)
    fridge = publish(client, consumer, operator, fridge_payload())
    shown = {"id": str(cert.id), "status": "valid", "level": "purge",
             "organisation": session.get(Organization, team[0].org_id).name,
             "issued_at": cert.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "verify_url": f"/verify/{cert.id}"}
    assert listing["certificate"] == shown
    assert client.get(f"/api/v1/listings/{listing['id']}").json["certificate"] == shown
    index = {i["id"]: i for i in client.get("/api/v1/listings").json["items"]}
    assert index[listing["id"]]["certificate"] == shown and index[fridge["id"]]["certificate"] is None
    assert client.get(shown["verify_url"]).status_code == 200  # the public page buyers open

    ids, items = search_ids(client, certified="true")
    assert ids == [listing["id"]] and items[0]["certificate"] == shown
    assert search_ids(client, certified="false")[0] == [fridge["id"]]
    r = client.get(SEARCH, query_string={"certified": "maybe"})
    assert r.status_code == 422 and "certified" in r.json["errors"]

    # Revoked: buyers see it, search no longer counts the device as certified.
    assert client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "QC re-check failed"},
                       headers=operator.headers).status_code == 200
    assert client.get(f"/api/v1/listings/{listing['id']}").json["certificate"]["status"] == "revoked"
    assert search_ids(client, certified="true")[0] == []


def test_a_new_certificate_for_a_listed_device_replaces_the_shown_one(client, session, ring, consumer,
                                                                      operator, team):
    listing, cert, dev = certified_phone(client, session, ring, consumer, operator, team)
    client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "tool recalled"},
                headers=operator.headers)
    again = certify(session, ring, imei=dev, serial=None, team=team)
    got = client.get(f"/api/v1/listings/{listing['id']}").json["certificate"]
    assert got["id"] == str(again.id) and got["status"] == "valid"


def test_a_revoked_signing_key_revokes_the_certificates_shown(client, session, ring, consumer, operator, team):
    listing, cert, _ = certified_phone(client, session, ring, consumer, operator, team)
    r = client.post(f"/api/v1/certificates/keys/{cert.kid}/revocations", json={"reason": "key leaked"},
                    headers=operator.headers)
    assert r.status_code == 200
    assert client.get(f"/api/v1/listings/{listing['id']}").json["certificate"]["status"] == "revoked"
    assert search_ids(client, certified="true")[0] == []


def test_certified_filter_on_elasticsearch(db_url, instance_dir, session, consumer, operator, team):
    import os
    from elasticsearch import Elasticsearch
    url, alias = os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200"), f"test-wipe-{uuid.uuid4().hex[:10]}"
    app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=url,
                   SEARCH_INDEX=alias, SEARCH_RELAY_INLINE=True)
    try:
        client = app.test_client()
        listing, cert, _ = certified_phone(client, session, app.extensions["huanxin.cert_keyring"], consumer,
                                           operator, team)
        fridge = publish(client, consumer, operator, fridge_payload())
        from marketplace.api.search.wiring import wiring
        wiring(app).primary.refresh()
        r = client.get(SEARCH, query_string={"certified": "true"})
        assert r.json["backend"] == "elasticsearch"
        assert [i["id"] for i in r.json["items"]] == [listing["id"]]
        assert r.json["items"][0]["certificate"]["id"] == str(cert.id)
        assert [i["id"] for i in client.get(SEARCH, query_string={"certified": "false"}).json["items"]] == \
            [fridge["id"]]
    finally:
        Elasticsearch(url).indices.delete(index=f"{alias}-*", allow_no_indices=True)


def test_an_index_made_before_the_field_existed_gets_it(db_url):
    import os
    from elasticsearch import Elasticsearch
    from search.backends import es_dsl
    from search.backends.elasticsearch import ElasticsearchBackend
    from search.documents import SearchDocument
    url, alias = os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200"), f"test-wipe-{uuid.uuid4().hex[:10]}"
    es = Elasticsearch(url)
    body = es_dsl.index_body(es_dsl.PROFILE_BARE)
    del body["mappings"]["properties"]["certified"]  # as the first release created it
    es.indices.create(index=f"{alias}-old", settings=body["settings"], mappings=body["mappings"],
                      aliases={alias: {}})
    try:
        backend = ElasticsearchBackend(es, alias=alias)
        backend.ensure_index()
        doc = SearchDocument(id=str(uuid.uuid4()), revision=1, published=True, title="iPad", certified=True)
        assert backend.apply([doc]).applied == 1
    finally:
        es.indices.delete(index=f"{alias}-*", allow_no_indices=True)


def test_the_owner_sees_their_certificates_and_nobody_else_does(client, session, ring, consumer,
                                                                other_consumer, operator, team):
    listing, cert, _ = certified_phone(client, session, ring, consumer, operator, team)
    r = client.get("/api/v1/certificates/mine", headers=consumer.headers)
    assert r.status_code == 200
    [mine] = r.json["items"]
    assert mine["id"] == str(cert.id) and mine["status"] == "valid" and mine["verify_url"] == f"/verify/{cert.id}"
    assert mine["device"]["imeis"] == [listing["device_masked"]]
    assert client.get("/api/v1/certificates/mine", headers=other_consumer.headers).json["items"] == []
    assert client.get("/api/v1/certificates/mine").status_code == 401


def test_public_lookup_by_imei_or_serial_never_echoes_the_identifier(client, session, ring, operator, team):
    dev, serial = imei(), "C8QXK9LOOKUP"
    cert = certify(session, ring, imei=dev, serial=serial, team=team)
    for body in ({"imei": dev}, {"serial": serial}):
        r = client.post("/api/v1/certificates/lookup", json=body)
        assert r.status_code == 200, r.json
        assert r.json["found"] is True and r.json["certificate"]["id"] == str(cert.id)
        assert r.json["certificate"]["status"] == "valid"
        assert r.json["certificate"]["verify_url"] == f"/verify/{cert.id}"
        text = r.get_data(as_text=True)
        assert dev not in text and serial not in text and dev[-4:] not in text and serial[-4:] not in text
    assert client.post("/api/v1/certificates/lookup", json={"imei": imei()}).json == \
        {"found": False, "certificate": None}
    r = client.post("/api/v1/certificates/lookup", json={"imei": dev[:-1] + str((int(dev[-1]) + 1) % 10)})
    assert r.status_code == 422 and "imei" in r.json["errors"]
    r = client.post("/api/v1/certificates/lookup", json={"imei": dev, "serial": serial})
    assert r.status_code == 422 and "imei" in r.json["errors"]
    client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "QC re-check failed"},
                headers=operator.headers)
    r = client.post("/api/v1/certificates/lookup", json={"imei": dev})
    assert r.json["found"] is True and r.json["certificate"]["status"] == "revoked"


def test_lookup_is_rate_limited(db_url, instance_dir):
    app = make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, RATE_LIMIT_LOOKUP="2/minute", REDIS_URL=None)
    client = app.test_client()
    codes = [client.post("/api/v1/certificates/lookup", json={"imei": imei()}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
