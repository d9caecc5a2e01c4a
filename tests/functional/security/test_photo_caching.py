"""A photo only its seller may see is never marked cacheable by shared caches.

The photo of a draft (or one proposed by a pending revision) answers 404 to everyone but the
seller, operators and the seller's organisation; served to them with `Cache-Control: public`, a CDN
or proxy in front of the app could keep the seller's copy a day and hand it to anyone asking for
the same URL."""
import io

from tests.factories.listings import fridge_payload
from tests.factories.tradeins import png


def _upload(client, actor, lid):
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(png()), "a.png")},
                    headers=actor.headers, content_type="multipart/form-data")
    assert r.status_code in (200, 201, 202), r.json
    return r.json["url"]


def test_a_draft_listings_photo_is_cached_privately(client, consumer):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    url = _upload(client, consumer, lid)
    assert client.get(url).status_code == 404
    mine = client.get(url, headers=consumer.headers)
    assert mine.status_code == 200
    assert "private" in mine.headers["Cache-Control"] and "public" not in mine.headers["Cache-Control"]


def test_a_photo_proposed_for_a_published_listing_is_cached_privately(client, consumer, published_listing):
    url = _upload(client, consumer, published_listing["id"])  # waits in a revision until approved
    assert client.get(url).status_code == 404
    assert "private" in client.get(url, headers=consumer.headers).headers["Cache-Control"]


def test_a_published_listings_photo_is_cached_publicly(client, consumer, operator):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    url = _upload(client, consumer, lid)
    for action, who in (("submit", consumer), ("approve", operator)):
        client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action}, headers=who.headers)
    assert client.get(f"/api/v1/listings/{lid}").json["status"] == "published"
    anyone = client.get(url)
    assert anyone.status_code == 200 and anyone.headers["Cache-Control"].startswith("public")
