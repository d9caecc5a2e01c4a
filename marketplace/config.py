"""Settings from environment variables, with embedded defaults that need no other server."""
from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULTS = {
    "DATABASE_URL": None,          # default: sqlite file in the instance folder
    "REDIS_URL": None,             # unset: in-process stand-ins (rate limits, jobs)
    "SEARCH_BACKEND": None,        # elasticsearch | database; default: elasticsearch if ELASTICSEARCH_URL
    "ELASTICSEARCH_URL": None,
    "ELASTICSEARCH_TIMEOUT": 5,    # seconds per request; the relay retries, searches answer 503
    "SEARCH_INDEX": "huanxin-listings",  # Elasticsearch alias (indices are <alias>-<timestamp>)
    "SEARCH_FALLBACK": None,       # "database": answer from the database backend while ES is down
    "SEARCH_RELAY_INLINE": None,   # relay after each commit; default: JOBS_INLINE (embedded)
    "STRIPE_API_KEY": None,        # unset: offline payment method (cash on handover)
    "STRIPE_WEBHOOK_SECRET": None,
    "STRIPE_API_BASE": None,       # e.g. stripe-mock in tests
    "STRIPE_TIMEOUT_SECONDS": 10,  # connect and read timeout of every Stripe call
    "PLATFORM_FEE_BPS": 500,       # platform fee in basis points of the captured amount (500 = 5%)
    "ORDER_RESERVATION_MINUTES": 30,  # an unpaid order releases its listing after this long
    "CASH_RESERVATION_HOURS": 48,  # cash on handover: how long the listing waits for the meeting
    "AUTO_CAPTURE_DAYS": 7,        # acceptance (and dispute) window after handover; then auto-capture
    "REVIEW_PUBLISH_DAYS": 14,     # review window after completion; reviews are published at its end
    "OFFER_EXPIRY_HOURS": 48,      # an unanswered offer or counter-offer expires after this long
    "LISTING_PRICE_RISE_REVIEW_PCT": 10,  # a published listing's price rise above approved + this % goes to review
    "DISPUTE_EVIDENCE_DAYS": 5,     # both sides add evidence to a dispute this long after it opens
    "DISPUTE_RESPONSE_DAYS": 3,     # the seller answers a dispute within this long
    "SELLER_SUMMARY_CACHE_SECONDS": 30,  # a listing's seller summary may be this old (0: always fresh)
    "ALERT_PERIOD_MINUTES": 60,     # at most one alert per saved search (or price-drop digest) per period
    "CONVERSATION_NEW_ACCOUNT_HOURS": 72,  # an account this young is "new" for conversation limits
    "CONVERSATION_NEW_ACCOUNT_DAILY": 5,   # conversations a new account may start per 24 hours
    "STORAGE_DIR": None,           # default: instance/uploads
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "JSON_MAX_BYTES": 1024 * 1024,  # a larger JSON body is a 413 (photos are multipart, under MAX_CONTENT_LENGTH)
    "JSON_MAX_DEPTH": 32,          # deeper nesting of arrays/objects is a 400 before parsing
    "RATE_LIMIT_AUTH": "20/minute",
    "RATE_LIMIT_WRITE": "300/minute",
    # Public certificate look-up by IMEI or serial (POST /certificates/lookup), per client.
    "RATE_LIMIT_LOOKUP": "30/minute",
    "RATELIMIT_ENABLED": True,
    "TRUSTED_PROXIES": "",         # comma-separated IPs/CIDRs of our reverse proxies; only they may set X-Forwarded-For
    "JOBS_INLINE": None,           # default: true without REDIS_URL
    "LOG_LEVEL": "INFO",
    "PUBLIC_BASE_URL": None,         # unset: http://HOST:PORT, the address `make run` serves on
    "NOTIFIER": "log",             # log (the notification_log table); SMS/email providers plug in here
    "PICKUP_CUTOFF_MINUTES": 120,  # consumers reschedule or cancel a pickup until this long before it
    "PICKUP_LEAD_MINUTES": 60,     # the earliest bookable pickup slot starts this long from now
    "PICKUP_HORIZON_DAYS": 14,     # pickups can be booked this many days ahead
    "PICKUP_NO_SHOW_GRACE_MINUTES": 120,  # a booking not reached this long after its slot is the recycler's no-show
    "PICKUP_MAX_OPEN_BOOKINGS": 3,  # open pickups a consumer may hold at once (0: no cap)
    "CREDIT_PRIVILEGES_FILE": None,  # JSON privileges by band; default services/credit/privileges.json
    "CREDIT_REPORT_DIR": None,       # training reports; default instance/credit-reports
    "CREDIT_BUREAU_FILE": None,      # CSV subject_id,score or JSON of bureau scores; unset: no bureau
    "CERT_SIGNING_KEYS": None,     # JSON kid -> base64 Ed25519 private key; unset: throwaway key in instance/
    "CERT_SIGNING_ACTIVE_KID": None,  # which of CERT_SIGNING_KEYS signs; default: the last listed
    "TRADEIN_QUOTE_VALID_DAYS": 7,   # a trade-in quote can be accepted for this long
    "TRADEIN_OFFER_VALID_DAYS": 7,   # an unanswered counter-offer then becomes a free return
    "TRADEIN_CLAWBACK_DUE_DAYS": 30,  # an open clawback then counts as unpaid (a credit event)
    "TRADEIN_PREPAY_MIN_SCORE": 600,  # credit score from which consumers are paid on acceptance
    "TRADEIN_CREDIT_SOURCE": "credit",  # credit (services/credit) | standin (TRADEIN_STANDIN_SCORE for all)
    "TRADEIN_STANDIN_SCORE": 0,      # the stand-in's fixed score
    "TRADEIN_STANDIN_LIMIT_FEN": 100000,  # the stand-in's prepayment limit
}
SECRET_NAMES = ("SECRET_KEY", "ID_HASH_KEY")


def _coerce(default, raw: str):
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


def load(instance_path: str, overrides: dict | None = None) -> dict:
    cfg = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        if name in os.environ:
            cfg[name] = _coerce(default, os.environ[name]) if default is not None else os.environ[name]
    for name in SECRET_NAMES:
        cfg[name] = os.environ.get(name)
    cfg.update(overrides or {})
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'huanxin.db'}"
    if not cfg["STORAGE_DIR"]:
        cfg["STORAGE_DIR"] = str(Path(instance_path) / "uploads")
    if cfg["JOBS_INLINE"] is None:
        cfg["JOBS_INLINE"] = not cfg["REDIS_URL"]
    elif isinstance(cfg["JOBS_INLINE"], str):
        cfg["JOBS_INLINE"] = cfg["JOBS_INLINE"].lower() in ("1", "true", "yes")
    if not cfg["PUBLIC_BASE_URL"]:
        # Links printed on documents (certificate QR codes) must reach the server that printed them.
        cfg["PUBLIC_BASE_URL"] = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    if not cfg["SEARCH_BACKEND"]:
        cfg["SEARCH_BACKEND"] = "elasticsearch" if cfg["ELASTICSEARCH_URL"] else "database"
    _fill_throwaway_secrets(cfg, Path(instance_path))
    return cfg


def _fill_throwaway_secrets(cfg: dict, instance: Path) -> None:
    """The embedded default makes its own keys, kept in the (git-ignored) instance folder so that
    hashes stay comparable across restarts, and says so loudly. Production sets them in the env."""
    missing = [n for n in SECRET_NAMES if not cfg.get(n)]
    if not missing:
        return
    store = instance / "throwaway-secrets.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    generated = [n for n in missing if n not in saved]
    for name in generated:
        saved[name] = secrets.token_hex(32)
    for name in missing:
        cfg[name] = saved[name]
    if generated:
        store.write_text(json.dumps(saved))
        store.chmod(0o600)
        log.warning("generated throwaway secrets %s in %s: set them in the environment for production",
                    ", ".join(generated), store)
    else:
        log.info("using the throwaway secrets %s kept in %s: set them in the environment for production",
                 ", ".join(missing), store)
