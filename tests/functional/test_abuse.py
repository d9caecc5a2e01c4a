"""Abuse at the edge (issue 19): inputs an attacker sends to burn CPU, hide text or dodge limits
are refused with problem+json before they cost anything."""
import io
import struct
import zlib

from PIL import Image, ImageFile

from tests.factories.listings import fridge_payload


def _png_bomb(width: int = 6000, height: int = 6000) -> bytes:
    """A real grayscale PNG of width x height black pixels: a few kilobytes that decode to 36 MB."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    z = zlib.compressobj(9)
    row = b"\0" * (1 + width)  # filter byte + one byte a pixel
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding(client, consumer, monkeypatch):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    bomb = _png_bomb()
    assert len(bomb) < 64 * 1024 and Image.open(io.BytesIO(bomb)).size == (6000, 6000)

    def no_decoding(self):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(bomb), "bomb.png")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "6000 x 6000" in r.json["errors"]["file"][0]
    assert client.get(f"/api/v1/listings/{lid}", headers=consumer.headers).json["photos"] == []


def _limited_app(db_url, instance_dir, **cfg):
    from tests.factories.app import make_app
    return make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, REDIS_URL=None, **cfg)


def test_login_guesses_are_limited_by_address_whatever_token_is_sent(db_url, instance_dir, consumer):
    c = _limited_app(db_url, instance_dir, RATE_LIMIT_AUTH="5/minute").test_client()
    token = consumer.headers["Authorization"].split(" ", 1)[1]
    codes = []
    for i in range(12):
        # The same valid token spelled differently each time (auth strips the spaces).
        headers = {"Authorization": f"Bearer {token}" + " " * i}
        codes.append(c.post("/api/v1/accounts/login", json={"email": "victim@example.cn", "password": f"guess{i}"},
                            headers=headers).status_code)
    assert codes == [401] * 5 + [429] * 7, codes


def test_write_limit_follows_the_user_not_the_spelling_of_the_token(db_url, instance_dir, consumer):
    c = _limited_app(db_url, instance_dir, RATE_LIMIT_WRITE="3/minute").test_client()
    token = consumer.headers["Authorization"].split(" ", 1)[1]
    codes = [c.post("/api/v1/listings", json=fridge_payload(), headers={"Authorization": f"Bearer {token}" + " " * i})
             .status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429], codes


def test_forwarded_for_counts_only_from_a_trusted_proxy(db_url, instance_dir):
    body = {"email": "nobody@example.cn", "password": "x"}
    spoofed = _limited_app(db_url, instance_dir, RATE_LIMIT_AUTH="2/minute").test_client()
    codes = [spoofed.post("/api/v1/accounts/login", json=body, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
             for i in range(4)]
    assert codes == [401, 401, 429, 429]  # a client cannot pick its own address
    proxied = _limited_app(db_url, instance_dir, RATE_LIMIT_AUTH="2/minute",
                           TRUSTED_PROXIES="127.0.0.0/8").test_client()
    codes = [proxied.post("/api/v1/accounts/login", json=body,
                          headers={"X-Forwarded-For": f"203.0.113.9, 10.1.1.{i}"}).status_code for i in range(3)]
    assert codes == [401, 401, 401]  # behind our proxy, each real client has its own budget...
    codes = [proxied.post("/api/v1/accounts/login", json=body,
                          headers={"X-Forwarded-For": f"198.51.{i}.1, 10.1.1.7"}).status_code for i in range(3)]
    assert codes == [401, 401, 429]  # ...and what the client wrote left of it is ignored


def test_login_checks_a_password_hash_for_unknown_emails_too(client, consumer, fast_passwords):
    from argon2 import PasswordHasher
    checks = []

    class Spy(PasswordHasher):
        def verify(self, hash, password):
            checks.append(hash)
            return super().verify(hash, password)
    fast_passwords.use(Spy(time_cost=1, memory_cost=1024, parallelism=1))
    unknown = client.post("/api/v1/accounts/login", json={"email": "nobody@example.cn", "password": "guess"})
    known = client.post("/api/v1/accounts/login", json={"email": consumer.user.email, "password": "guess"})
    assert unknown.status_code == known.status_code == 401
    assert unknown.json["code"] == known.json["code"] == "bad_credentials"
    assert len(checks) == 2  # one hash checked for each: the work (and time) does not depend on the email


def test_failed_logins_take_as_long_for_unknown_and_registered_emails(client, consumer):
    import statistics
    import time

    def median_ms(email):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            assert client.post("/api/v1/accounts/login", json={"email": email, "password": "wrong"}).status_code == 401
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    unknown, known = median_ms("nobody@example.cn"), median_ms(consumer.user.email)
    assert unknown > 0.5 * known, (unknown, known)  # before: 2.5 ms against 250 ms


def test_deeply_nested_json_is_a_400_not_a_500(client, consumer):
    for depth in (33, 5000, 100_000):
        body = "[" * depth + "]" * depth
        r = client.post("/api/v1/listings", data=body, headers={**consumer.headers, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.mimetype == "application/problem+json", (depth, r.status_code)
        assert r.json["code"] == "json_too_deep"
    # Brackets inside strings are text, not nesting.
    ok = client.post("/api/v1/listings", json=fridge_payload(description="[[[[" * 200), headers=consumer.headers)
    assert ok.status_code == 201


def test_a_json_body_over_the_limit_is_a_413(client, app, consumer):
    body = fridge_payload(description="长" * 10)
    body["padding"] = "x" * app.config["JSON_MAX_BYTES"]
    r = client.post("/api/v1/listings", json=body, headers=consumer.headers)
    assert r.status_code == 413 and r.json["code"] == "body_too_large"


def test_bidirectional_and_control_characters_are_refused_naming_the_field(client, consumer):
    for title in ("iPhone 15 \u202egnp.exe", "冰箱\u2066隐藏\u2069", "bell\u0007", "c1\u0085x"):
        r = client.post("/api/v1/listings", json=fridge_payload(title=title), headers=consumer.headers)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", title
        assert "title" in r.json["errors"], r.json
    # Escaped in the JSON text or raw UTF-8: the same refusal.
    raw = '{"title": "abc\\u202Edef"}'
    r = client.post("/api/v1/listings", data=raw, headers={**consumer.headers, "Content-Type": "application/json"})
    assert r.status_code == 422 and "title" in r.json["errors"]
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    r = client.patch(f"/api/v1/listings/{lid}", json={"description": "ok\n\tline two \u200f"}, headers=consumer.headers)
    assert r.status_code == 422 and "description" in r.json["errors"]
    # Tabs and line breaks are ordinary text.
    r = client.patch(f"/api/v1/listings/{lid}", json={"description": "一\n二\t三\r\n"}, headers=consumer.headers)
    assert r.status_code == 200


EXACT = (37.861234567890123, 112.548765432109876)  # a seller's doorstep


def _published_at_home(client, seller, operator) -> str:
    body = fridge_payload(lat=EXACT[0], lon=EXACT[1])
    lid = client.post("/api/v1/listings", json=body, headers=seller.headers).json["id"]
    assert client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"},
                       headers=seller.headers).status_code == 200
    assert client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "approve"},
                       headers=operator.headers).status_code == 200
    return lid


def test_public_coordinates_are_rounded_to_about_a_kilometre(client, consumer, other_consumer, operator):
    lid = _published_at_home(client, consumer, operator)
    for headers in ({}, other_consumer.headers):
        got = client.get(f"/api/v1/listings/{lid}", headers=headers).json
        assert (got["lat"], got["lon"]) == (37.86, 112.55)
    for who in (consumer, operator):
        got = client.get(f"/api/v1/listings/{lid}", headers=who.headers).json
        assert (got["lat"], got["lon"]) == EXACT
    # The buyer of the order meets the seller: they see the exact place.
    assert client.post("/api/v1/orders", json={"listing_id": lid}, headers=other_consumer.headers).status_code == 201
    got = client.get(f"/api/v1/listings/{lid}", headers=other_consumer.headers).json
    assert (got["lat"], got["lon"]) == EXACT
    assert client.get(f"/api/v1/listings/{lid}").json["lat"] == 37.86


def test_search_distances_are_measured_to_the_rounded_point(client, consumer, operator):
    _published_at_home(client, consumer, operator)
    hits = client.get(f"/api/v1/search?near={EXACT[0]},{EXACT[1]}&sort=distance").json["items"]
    assert len(hits) == 1
    # Standing on the doorstep does not give distance 0: the index only knows the rounded point.
    assert 0.1 < hits[0]["distance_km"] < 1.2  # 0.175 km from this doorstep to (37.86, 112.55)


def test_one_account_holds_at_most_three_open_pickups(client, consumer, other_consumer, recycler):
    from tests.factories.pickups import booking_payload, next_slot, put_offer
    offer = put_offer(client, recycler)
    phone = [{"category": "electronics", "kind": "mobile_phone"}]
    made = [client.post("/api/v1/pickups", json=booking_payload(next_slot(hour=h), items=phone, recycler_id=offer["id"]),
                        headers=consumer.headers) for h in (9, 10, 11, 14)]
    assert [r.status_code for r in made] == [201, 201, 201, 409]
    assert made[3].json["code"] == "too_many_open_bookings" and made[3].json["limit"] == 3
    assert client.post("/api/v1/pickups", json=booking_payload(next_slot(hour=14), items=phone, recycler_id=offer["id"]),
                       headers=other_consumer.headers).status_code == 201  # the cap is per account
    assert client.post(f"/api/v1/pickups/{made[0].json['id']}/cancel", json={"reason": "changed my mind"},
                       headers=consumer.headers).status_code == 200
    again = client.post("/api/v1/pickups", json=booking_payload(next_slot(hour=14), items=phone, recycler_id=offer["id"]),
                        headers=consumer.headers)
    assert again.status_code == 201  # a cancelled pickup no longer counts


def test_a_refused_write_runs_no_query_after_its_rollback(app, client, consumer, caplog):
    """The access log names the caller from a plain id: reading it from the ORM user after the
    rollback was a query, and while the database is away that query turned a 503 into a 500."""
    import logging

    from sqlalchemy import event

    after_rollback: list[str] = []
    rolled_back = []

    def on_rollback(conn):
        rolled_back.append(True)

    def on_execute(conn, cursor, statement, *args):
        if rolled_back:
            after_rollback.append(statement)
    event.listen(app.extensions["db"].engine, "rollback", on_rollback)
    event.listen(app.extensions["db"].engine, "before_cursor_execute", on_execute)
    try:
        with caplog.at_level(logging.INFO, logger="marketplace.access"):
            r = client.post("/api/v1/orders", json={"listing_id": "00000000-0000-0000-0000-000000000000"},
                            headers=consumer.headers)
    finally:
        event.remove(app.extensions["db"].engine, "rollback", on_rollback)
        event.remove(app.extensions["db"].engine, "before_cursor_execute", on_execute)
    assert r.status_code == 404 and rolled_back
    assert after_rollback == []
    assert any(getattr(rec, "user", None) == str(consumer.user.id) for rec in caplog.records)
