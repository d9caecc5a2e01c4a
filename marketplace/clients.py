"""Who a client is, for rate limits and idempotency scopes.

The address is the TCP peer unless that peer is one of TRUSTED_PROXIES; only then is
X-Forwarded-For read, from the right, skipping our own proxies (anything left of the first
untrusted hop was written by the client and proves nothing). A limit key is the authenticated
user when there is one: the raw Authorization header is not a key, since the same token can be
spelled many ways (trailing spaces, scheme case) and each spelling would get a fresh bucket."""
from __future__ import annotations

import hashlib
import ipaddress

from flask import Flask, current_app, g, request

from marketplace.auth import bearer_token

_NETS = "huanxin.trusted_proxies"


def init_app(app: Flask) -> None:
    raw = app.config.get("TRUSTED_PROXIES") or ""
    app.extensions[_NETS] = tuple(ipaddress.ip_network(p.strip(), strict=False)
                                  for p in raw.split(",") if p.strip())


def _trusted(addr: str, nets) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address() -> str:
    """The client's address: the peer, or the nearest hop our trusted proxies recorded."""
    peer = request.remote_addr or "unknown"
    nets = current_app.extensions.get(_NETS)
    if not nets or not _trusted(peer, nets):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            return hop[:64]
    return hops[0][:64] if hops else peer


def address_key() -> str:
    """Rate-limit key for login, registration and refresh: the address, whatever token is sent."""
    return "ip:" + client_address()


def client_key() -> str:
    """Rate-limit key for writes: the authenticated user, else the canonical token, else the address."""
    uid = g.get("current_user_id")
    if uid is not None:
        return f"user:{uid}"
    token = bearer_token()
    if token:
        return "tok:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return address_key()
