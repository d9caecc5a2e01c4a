"""The API conventions every endpoint shares: problem+json, idempotency, rate limits,
request ids, readiness, structured logs without personal data."""
import json
import logging

import pytest

from tests.factories.app import make_app
from tests.factories.listings import fridge_payload


@pytest.mark.smoke
def test_unknown_route_and_wrong_method_are_problems(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.mimetype == "application/problem+json" and r.json["status"] == 404
    r = client.delete("/api/v1/listings")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and r.json["title"] == "Method Not Allowed"


def test_500_has_no_stack_trace(db_url, instance_dir):
    app = make_app(db_url, instance_dir)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/app.py line 42")

    r = app.test_client().get("/boom")
    assert r.status_code == 500 and r.mimetype == "application/problem+json"
    text = r.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text and r.json["request_id"]


def test_idempotency_key_replays_and_rejects_other_body(client, consumer):
    h = {**consumer.headers, "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/listings", json=fridge_payload(title="第一 first"), headers=h)
    again = client.post("/api/v1/listings", json=fridge_payload(title="第一 first"), headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    mine = client.get("/api/v1/listings?mine=true", headers=consumer.headers).json["items"]
    assert len(mine) == 1
    other = client.post("/api/v1/listings", json=fridge_payload(title="第二 second"), headers=h)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]


def test_request_id_is_echoed_or_generated(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "trace-1"}).headers["X-Request-ID"] == "trace-1"


def test_logs_are_json_with_request_id_and_no_personal_data(client, consumer, caplog):
    from marketplace.logs import JsonFormatter, RequestIdFilter
    fmt = JsonFormatter()
    id_number = "11010519491231002X"
    with caplog.at_level(logging.INFO):
        client.post("/api/v1/accounts/me/identity?x=1", json={"id_number": id_number},
                    headers={**consumer.headers, "X-Request-ID": "rid-77"})
        client.post("/api/v1/accounts/login", json={"email": consumer.user.email, "password": "wrong password"})
    lines = []
    for rec in caplog.records:
        RequestIdFilter().filter(rec) if not hasattr(rec, "request_id") else None
        lines.append(fmt.format(rec))
    parsed = [json.loads(line) for line in lines]
    assert any(p.get("request_id") == "rid-77" and p.get("path") == "/api/v1/accounts/me/identity" for p in parsed)
    joined = "\n".join(lines)
    assert id_number not in joined and consumer.user.email not in joined and "wrong password" not in joined


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_login_rate_limit_gives_429_with_retry_after(db_url, instance_dir, redis_url, storage):
    import redis
    if storage == "redis":
        redis.Redis.from_url(redis_url).flushdb()
    app = make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, RATE_LIMIT_AUTH="3/minute",
                   REDIS_URL=redis_url if storage == "redis" else None)
    c = app.test_client()
    codes = [c.post("/api/v1/accounts/login", json={"email": "x@y.cn", "password": "p"}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    r = c.post("/api/v1/accounts/login", json={"email": "x@y.cn", "password": "p"})
    assert r.status_code == 429 and r.mimetype == "application/problem+json" and int(r.headers["Retry-After"]) > 0
    if storage == "redis":
        assert any(k.startswith(b"LIMITS") for k in redis.Redis.from_url(redis_url).keys("*"))


def test_writes_are_rate_limited(db_url, instance_dir, session, consumer):
    app = make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, RATE_LIMIT_WRITE="2/minute", REDIS_URL=None)
    c = app.test_client()
    responses = [c.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 201, 429]
    assert [r.headers.get("X-RateLimit-Remaining") for r in responses[:2]] == ["1", "0"]
    assert int(responses[2].headers["Retry-After"]) > 0
    read = c.get("/api/v1/listings")
    assert read.status_code == 200 and "X-RateLimit-Limit" not in read.headers  # reads are not write-limited
    # A quote stores nothing: it is a computation, not a write, so the write limit does not apply.
    body = {"region": "140100", "date": "2025-06-01", "purchase": {"kind": "refrigerator", "price_fen": 300000,
                                                                   "energy_grade": 1}, "trade_in": None}
    quotes = [c.post("/api/v1/subsidies/quote", json=body, headers=consumer.headers) for _ in range(3)]
    assert [q.status_code for q in quotes] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in quotes[0].headers


def test_readyz_reports_each_component_and_503_when_one_is_down(db_url, instance_dir, client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json["components"]["redis"]["status"] == "up"
    down = make_app(db_url, instance_dir, REDIS_URL="redis://127.0.0.1:1/0")
    r = down.test_client().get("/readyz")
    assert r.status_code == 503 and r.json["components"]["redis"]["status"] == "down"
    assert r.json["components"]["database"]["status"] == "up"


def test_nul_characters_are_a_422_naming_the_parameter(client, consumer):
    r = client.get("/api/v1/listings?cursor=a%00b")
    assert r.status_code == 422 and "cursor" in r.json["errors"]
    r = client.post("/api/v1/listings", data='{"title": "a\\u0000b"}', headers={**consumer.headers, "Content-Type": "application/json"})
    assert r.status_code == 422 and "_body" in r.json["errors"]
    r = client.get("/api/v1/tradeins/prices?q=%00", headers=consumer.headers)
    assert r.status_code == 422
