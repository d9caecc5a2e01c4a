"""The app as served in production (wsgi:app) plus one bench-only route: the cheapest POST the
app's own stack can answer (auth, request ids, logging, content-type checks; no schema, no rules).
It tells how much of the gap to the bare Flask baseline is the shared stack, not the quote."""
from flask import jsonify, request

from marketplace.auth import public
from marketplace.limits import not_a_write
from wsgi import app


@public
@not_a_write
def echo():
    body = request.get_json(silent=True) or {}
    return jsonify({"region": body.get("region")})


app.add_url_rule("/api/v1/bench/echo", "bench_echo", echo, methods=["POST"])
