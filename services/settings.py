"""Every setting of every domain, typed, in one frozen object (secrets are left out of its repr).

The defaults live here and nowhere else; marketplace/config.py is the one loader that fills it
from the environment (parsing booleans and integers once). Each field is the environment
variable of the same name in capitals (`pickup_horizon_days` <- PICKUP_HORIZON_DAYS). Services
read it through their unit of work: `services.deps.of(session).settings`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import get_type_hints


@dataclass(frozen=True)
class Settings:
    # Infrastructure. None: the embedded default that needs no other server.
    database_url: str | None = None          # default: sqlite file in the instance folder
    redis_url: str | None = None             # unset: in-process stand-ins (rate limits, jobs)
    search_backend: str | None = None        # elasticsearch | database; default: elasticsearch if ELASTICSEARCH_URL
    elasticsearch_url: str | None = None
    elasticsearch_timeout: int = 5           # seconds per request; the relay retries, searches answer 503
    search_index: str = "huanxin-listings"   # Elasticsearch alias (indices are <alias>-<timestamp>)
    search_fallback: str | None = None       # "database": answer from the database backend while ES is down
    search_relay_inline: bool | None = None  # relay after each commit; default: jobs_inline (embedded)
    stripe_api_key: str | None = field(default=None, repr=False)        # unset: offline payment method (cash on handover)
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_api_base: str | None = None       # e.g. stripe-mock in tests
    stripe_timeout_seconds: int = 10         # connect and read timeout of every Stripe call
    storage_dir: str | None = None           # default: instance/uploads
    jobs_inline: bool | None = None          # default: true without REDIS_URL
    log_level: str = "INFO"
    public_base_url: str | None = None       # unset: http://HOST:PORT, the address `make run` serves on
    notifier: str = "log"                    # log (the notification_log table); SMS/email providers plug in here
    # Secrets: unset, the loader makes throwaway development keys (and says so in the log).
    secret_key: str | None = field(default=None, repr=False)
    id_hash_key: str | None = field(default=None, repr=False)
    # Buying.
    platform_fee_bps: int = 500              # platform fee in basis points of the captured amount (500 = 5%)
    order_reservation_minutes: int = 30      # an unpaid order releases its listing after this long
    cash_reservation_hours: int = 48         # cash on handover: how long the listing waits for the meeting
    auto_capture_days: int = 7               # acceptance (and dispute) window after handover; then auto-capture
    return_window_days: int = 7              # 七天无理由: a shipped order's buyer asks for a return within this long
                                             # after delivery, and sends an agreed return within this long of the decision
    review_publish_days: int = 14            # review window after completion; reviews are published at its end
    offer_expiry_hours: int = 48             # an unanswered offer or counter-offer expires after this long
    listing_price_rise_review_pct: int = 10  # a published listing's price rise above approved + this % goes to review
    dispute_evidence_days: int = 5           # both sides add evidence to a dispute this long after it opens
    dispute_response_days: int = 3           # the seller answers a dispute within this long
    seller_summary_cache_seconds: int = 30   # a listing's seller summary may be this old (0: always fresh)
    alert_period_minutes: int = 60           # at most one alert per saved search (or price-drop digest) per period
    conversation_new_account_hours: int = 72  # an account this young is "new" for conversation limits
    conversation_new_account_daily: int = 5   # conversations a new account may start per 24 hours
    # Passwords (argon2id). Defaults are argon2-cffi's RFC 9106 "low memory" profile; raising them
    # rehashes each password at its owner's next login.
    password_time_cost: int = 3              # argon2 iterations
    email_confirmation_hours: int = 48       # a registration's confirmation link works this long
    password_reset_minutes: int = 30         # an emailed password reset code works this long
    password_memory_cost: int = 65536        # argon2 memory in KiB
    password_parallelism: int = 4            # argon2 lanes
    # The HTTP edge.
    max_content_length: int = 8 * 1024 * 1024
    json_max_bytes: int = 1024 * 1024        # a larger JSON body is a 413 (photos are multipart)
    json_max_depth: int = 32                 # deeper nesting of arrays/objects is a 400 before parsing
    rate_limit_auth: str = "20/minute"
    rate_limit_write: str = "300/minute"
    rate_limit_lookup: str = "30/minute"     # public certificate look-up by IMEI or serial, per client
    rate_limit_password_reset: str = "5/hour;20/day"  # reset requests per email address (per client: RATE_LIMIT_AUTH)
    ratelimit_enabled: bool = True
    trusted_proxies: str = ""                # comma-separated IPs/CIDRs of our reverse proxies (X-Forwarded-For)
    # Doorstep pickups.
    pickup_cutoff_minutes: int = 120         # consumers reschedule or cancel a pickup until this long before it
    pickup_lead_minutes: int = 60            # the earliest bookable pickup slot starts this long from now
    pickup_horizon_days: int = 14            # pickups can be booked this many days ahead
    pickup_no_show_grace_minutes: int = 120  # a booking not reached this long after its slot is the recycler's no-show
    pickup_max_open_bookings: int = 3        # open pickups a consumer may hold at once (0: no cap)
    # Credit.
    credit_privileges_file: str | None = None  # JSON privileges by band; default services/credit/privileges.json
    credit_report_dir: str | None = None       # training reports; default instance/credit-reports
    credit_bureau_file: str | None = None      # CSV subject_id,score or JSON of bureau scores; unset: no bureau
    # Data-wipe certificates.
    cert_signing_keys: str | None = field(default=None, repr=False)       # JSON kid -> base64 Ed25519 private key; unset: throwaway key
    cert_signing_active_kid: str | None = None  # which of CERT_SIGNING_KEYS signs; default: the last listed
    # Trade-ins.
    tradein_quote_valid_days: int = 7        # a trade-in quote can be accepted for this long
    tradein_offer_valid_days: int = 7        # an unanswered counter-offer then becomes a free return
    tradein_clawback_due_days: int = 30      # an open clawback then counts as unpaid (a credit event)
    tradein_prepay_min_score: int = 600      # credit score from which consumers are paid on acceptance
    tradein_credit_source: str = "credit"    # credit (services/credit) | standin (TRADEIN_STANDIN_SCORE for all)
    tradein_standin_score: int = 0           # the stand-in's fixed score
    tradein_standin_limit_fen: int = 100000  # the stand-in's prepayment limit
    # Shipping (services/shipping).
    shipping_deadline_days: int = 3          # a paid order ships within this long, or the buyer may cancel in full
    carrier_source: str = "standin"          # standin (parcels move by themselves: the demo) | push (carriers' webhooks only)
    carrier_webhook_tolerance_seconds: int = 300  # a carrier webhook's X-Carrier-Timestamp may be this far off
    carrier_secret_sf: str | None = field(default=None, repr=False)      # HMAC secret of each carrier's webhook;
    carrier_secret_jd: str | None = field(default=None, repr=False)      # unset: that carrier's webhook is a 404
    carrier_secret_ems: str | None = field(default=None, repr=False)
    carrier_secret_zto: str | None = field(default=None, repr=False)
    carrier_secret_yto: str | None = field(default=None, repr=False)
    carrier_secret_sto: str | None = field(default=None, repr=False)
    carrier_secret_yunda: str | None = field(default=None, repr=False)
    # Notifications: email over SMTP (unset SMTP_HOST: emails are only logged); SMS is a log stand-in.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_sender: str = "noreply@huanxin.example"
    smtp_starttls: bool = False
    smtp_timeout_seconds: int = 10

    @classmethod
    def env_names(cls) -> dict[str, str]:
        """Environment variable -> field name, for every setting."""
        return {f.name.upper(): f.name for f in fields(cls)}

    @classmethod
    def kinds(cls) -> dict[str, type]:
        """Field name -> the type its text is parsed to (bool, int or str)."""
        hints = get_type_hints(cls)
        out = {}
        for name, hint in hints.items():
            args = [a for a in getattr(hint, "__args__", (hint,)) if a is not type(None)]
            out[name] = args[0]
        return out

    def as_config(self) -> dict:
        """The settings under their environment names (Flask's app.config keys)."""
        return {f.name.upper(): getattr(self, f.name) for f in fields(self)}
