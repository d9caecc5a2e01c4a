"""Every setting of every domain can be set from the environment (issue 19): each name the code
looks up in the app config is a field of the one typed settings object (services/settings.py), and
every field, set in the environment, reaches the typed settings with its type and the domain object
(or edge object) that uses it."""
import dataclasses
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from marketplace import config, container
from services.certificates.signing import new_private_key_b64
from services.identifiers import IdHasher
from services.settings import Settings
from services.shipping.carriers import CARRIERS
from services.tradeins.ports import FixedScoreCredit

ROOT = Path(__file__).resolve().parents[2]
LOOKUP = re.compile(r"""(?:config|cfg)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
# Set by create_app itself from other settings, or Flask's and our test harness's own switches.
DERIVED = {"RATELIMIT_STORAGE_URI", "TESTING", "DEBUG"}
NAMES = sorted(Settings.env_names())
KID = "walk-2026"
ONE_CHOICE = {"NOTIFIER"}  # only its default is implemented so far


def _names_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for package in ("marketplace", "services", "search", "subsidies"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(LOOKUP.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_setting_the_code_reads_is_a_typed_setting():
    names = _names_read_by_the_code()
    assert {"JSON_MAX_BYTES", "RATE_LIMIT_LOOKUP", "SELLER_SUMMARY_CACHE_SECONDS"} <= names  # the scan works
    undeclared = names - set(NAMES) - DERIVED
    assert not undeclared, f"read from the config but not settable from the environment: {sorted(undeclared)}"


def _environment(tmp: Path) -> dict[str, str]:
    """A value for every setting, each different from its default, that an app can start with."""
    bureau = tmp / "bureau.csv"
    bureau.write_text("subject_id,score\n")
    text = {
        "DATABASE_URL": f"sqlite:///{tmp / 'walk.db'}", "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "SEARCH_BACKEND": "database", "ELASTICSEARCH_URL": "http://127.0.0.1:9",
        "SEARCH_INDEX": "walk-listings", "SEARCH_FALLBACK": "database",
        "STRIPE_API_KEY": "sk_test_walk", "STRIPE_WEBHOOK_SECRET": "whsec_walk",
        "STRIPE_API_BASE": os.environ.get("TEST_STRIPE_API_BASE", "http://127.0.0.1:12111"),
        "STORAGE_DIR": str(tmp / "files"), "LOG_LEVEL": "WARNING", "PUBLIC_BASE_URL": "https://walk.example.cn",
        "NOTIFIER": "log", "SECRET_KEY": "walk-secret", "ID_HASH_KEY": "walk-id-hash-key",
        "RATE_LIMIT_AUTH": "7/minute", "RATE_LIMIT_WRITE": "70/minute", "RATE_LIMIT_LOOKUP": "17/minute",
        "RATE_LIMIT_PASSWORD_RESET": "3/hour",
        "TRUSTED_PROXIES": "10.0.0.7", "CREDIT_PRIVILEGES_FILE": str(ROOT / "services/credit/privileges.json"),
        "CREDIT_REPORT_DIR": str(tmp / "reports"), "CREDIT_BUREAU_FILE": str(bureau),
        "CERT_SIGNING_KEYS": json.dumps({KID: new_private_key_b64()}), "CERT_SIGNING_ACTIVE_KID": KID,
        "TRADEIN_CREDIT_SOURCE": "standin",
        "CARRIER_SOURCE": "push", "SMTP_HOST": "smtp.walk.example.cn", "SMTP_USER": "walk-mailer",
        "SMTP_PASSWORD": "walk-smtp-password", "SMTP_SENDER": "walk@walk.example.cn",
        **{f"CARRIER_SECRET_{code.upper()}": f"walk-{code}-secret" for code in CARRIERS},
    }
    env = {}
    kinds, defaults = Settings.kinds(), Settings()
    for name, field in Settings.env_names().items():
        default = getattr(defaults, field)
        if kinds[field] is bool:
            env[name] = "true" if default is None else ("false" if default else "yes")
        elif kinds[field] is int:
            env[name] = str(default + 7)
        else:
            env[name] = text[name]
    return env


def _typed(name: str, raw: str):
    return config.parse(Settings.kinds()[name.lower()], name, raw)


# Where each setting ends up: the services' collaborators (Deps) or, for the edge, the app.
DOMAIN = {
    "PLATFORM_FEE_BPS": lambda c, a: c.deps.buying.platform_fee_bps,
    "ORDER_RESERVATION_MINUTES": lambda c, a: c.deps.buying.reservation_minutes,
    "CASH_RESERVATION_HOURS": lambda c, a: c.deps.buying.cash_reservation_hours,
    "AUTO_CAPTURE_DAYS": lambda c, a: c.deps.buying.auto_capture_days,
    "EMAIL_CONFIRMATION_HOURS": lambda c, a: c.deps.settings.email_confirmation_hours,
    "PASSWORD_RESET_MINUTES": lambda c, a: c.deps.settings.password_reset_minutes,
    "RETURN_WINDOW_DAYS": lambda c, a: c.deps.buying.return_window_days,
    "REVIEW_PUBLISH_DAYS": lambda c, a: c.deps.buying.review_publish_days,
    "OFFER_EXPIRY_HOURS": lambda c, a: c.deps.buying.offer_expiry_hours,
    "PUBLIC_BASE_URL": lambda c, a: c.deps.buying.public_base_url,
    "PICKUP_CUTOFF_MINUTES": lambda c, a: c.deps.pickup_policy.cutoff // timedelta(minutes=1),
    "PICKUP_LEAD_MINUTES": lambda c, a: c.deps.pickup_policy.lead // timedelta(minutes=1),
    "PICKUP_HORIZON_DAYS": lambda c, a: c.deps.pickup_policy.horizon_days,
    "PICKUP_NO_SHOW_GRACE_MINUTES": lambda c, a: c.deps.pickup_policy.no_show_grace // timedelta(minutes=1),
    "PICKUP_MAX_OPEN_BOOKINGS": lambda c, a: c.deps.pickup_policy.max_open_bookings,
    "TRADEIN_QUOTE_VALID_DAYS": lambda c, a: c.deps.tradeins.settings.quote_valid_days,
    "TRADEIN_OFFER_VALID_DAYS": lambda c, a: c.deps.tradeins.settings.offer_valid_days,
    "TRADEIN_CLAWBACK_DUE_DAYS": lambda c, a: c.deps.tradeins.settings.clawback_due_days,
    "TRADEIN_PREPAY_MIN_SCORE": lambda c, a: c.deps.tradeins.settings.prepay_min_score,
    "TRADEIN_STANDIN_LIMIT_FEN": lambda c, a: c.deps.tradeins.credit.limit_fen,
    "TRADEIN_STANDIN_SCORE": lambda c, a: c.deps.tradeins.credit.score,
    "TRADEIN_CREDIT_SOURCE": lambda c, a: "standin" if isinstance(c.deps.tradeins.credit, FixedScoreCredit) else "credit",
    "ID_HASH_KEY": lambda c, a: "walk-id-hash-key" if c.deps.ids.hash("x") == IdHasher("walk-id-hash-key").hash("x") else None,
    "NOTIFIER": lambda c, a: c.deps.notifier.channel,
    "CREDIT_BUREAU_FILE": lambda c, a: str(c.deps.bureau.path),
    "STORAGE_DIR": lambda c, a: str(c.deps.storage.root),
    "STRIPE_API_KEY": lambda c, a: "sk_test_walk" if c.deps.gateway.name == "stripe" else None,
    "STRIPE_TIMEOUT_SECONDS": lambda c, a: int(c.deps.gateway.timeout[1]),
    "SEARCH_BACKEND": lambda c, a: "database" if type(c.search.primary).__name__ == "DatabaseBackend" else None,
    "SEARCH_RELAY_INLINE": lambda c, a: any(getattr(h, "__name__", "") == "relay_inline"
                                            for h in a.extensions.get("huanxin.after_commit", ())),
    "CERT_SIGNING_KEYS": lambda c, a: {e.kid for e in a.extensions["huanxin.cert_keyring"].entries()},
    "CERT_SIGNING_ACTIVE_KID": lambda c, a: a.extensions["huanxin.cert_keyring"].active.kid,
    "DISPUTE_EVIDENCE_DAYS": lambda c, a: c.deps.disputes.evidence_days,
    "DISPUTE_RESPONSE_DAYS": lambda c, a: c.deps.disputes.response_days,
    "ALERT_PERIOD_MINUTES": lambda c, a: c.deps.alerts.period // timedelta(minutes=1),
    "CONVERSATION_NEW_ACCOUNT_HOURS": lambda c, a: c.deps.conversations.new_account_hours,
    "CONVERSATION_NEW_ACCOUNT_DAILY":
        lambda c, a: c.deps.conversations.new_account_daily_conversations,
    "PASSWORD_TIME_COST": lambda c, a: c.deps.passwords.time_cost,
    "PASSWORD_MEMORY_COST": lambda c, a: c.deps.passwords.memory_cost,
    "PASSWORD_PARALLELISM": lambda c, a: c.deps.passwords.parallelism,
    "SELLER_SUMMARY_CACHE_SECONDS": lambda c, a: int(a.extensions["huanxin.seller_summaries"].ttl),
    "TRUSTED_PROXIES": lambda c, a: ",".join(str(n.network_address) for n in a.extensions["huanxin.trusted_proxies"]),
    "SECRET_KEY": lambda c, a: a.secret_key,
    "MAX_CONTENT_LENGTH": lambda c, a: a.config["MAX_CONTENT_LENGTH"],  # Flask's own key
    "SHIPPING_DEADLINE_DAYS": lambda c, a: c.deps.shipping.deadline_days,
    "CARRIER_WEBHOOK_TOLERANCE_SECONDS": lambda c, a: c.deps.shipping.webhook_tolerance_seconds,
    "CARRIER_SOURCE": lambda c, a: c.deps.carrier.name,
    **{f"CARRIER_SECRET_{code.upper()}": (lambda code: lambda c, a: c.deps.shipping.secrets[code])(code)
       for code in CARRIERS},
    "SMTP_HOST": lambda c, a: c.deps.mailer.host,
    "SMTP_PORT": lambda c, a: c.deps.mailer.port,
    "SMTP_USER": lambda c, a: c.deps.mailer.user,
    "SMTP_PASSWORD": lambda c, a: c.deps.mailer.password,
    "SMTP_SENDER": lambda c, a: c.deps.mailer.sender,
    "SMTP_STARTTLS": lambda c, a: c.deps.mailer.starttls,
    "SMTP_TIMEOUT_SECONDS": lambda c, a: int(c.deps.mailer.timeout),
}


# How a domain object shows a setting when that differs from the setting's own value.
AS_USED = {"CERT_SIGNING_KEYS": lambda raw: set(json.loads(raw))}


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """One app started with every setting set in the environment (and nothing passed in code)."""
    tmp = tmp_path_factory.mktemp("walk")
    env = _environment(tmp)
    saved = {k: os.environ.get(k) for k in [*env, "INSTANCE_PATH"]}
    os.environ.update(env)
    os.environ["INSTANCE_PATH"] = str(tmp / "instance")
    try:
        from marketplace import create_app
        app = create_app()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return env, app


@pytest.mark.parametrize("name", NAMES)
def test_each_setting_is_read_from_the_environment(name, monkeypatch, tmp_path):
    raw = _environment(tmp_path)[name]
    monkeypatch.setenv(name, raw)
    settings = config.load_settings(str(tmp_path))
    value = getattr(settings, name.lower())
    assert value == _typed(name, raw)
    assert value != getattr(Settings(), name.lower()) or name in ONE_CHOICE
    assert type(value) is Settings.kinds()[name.lower()]


@pytest.mark.parametrize("name", NAMES)
def test_each_setting_reaches_the_app_and_the_object_that_uses_it(name, walked):
    env, app = walked
    expected = _typed(name, env[name])
    c = container.of(app)
    assert getattr(c.settings, name.lower()) == expected
    assert app.config[name] == expected
    if name in DOMAIN:
        assert DOMAIN[name](c, app) == AS_USED.get(name, lambda v: v)(expected)


def test_every_setting_has_a_user_checked_or_is_read_from_app_config_only():
    # The rest are read by the edge straight from app.config at start-up (rate limits, body limits,
    # infrastructure URLs): the app.config check above covers them.
    edge_only = {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "ELASTICSEARCH_TIMEOUT", "SEARCH_INDEX",
                 "SEARCH_FALLBACK", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "JOBS_INLINE", "LOG_LEVEL",
                 "JSON_MAX_BYTES", "JSON_MAX_DEPTH", "RATE_LIMIT_AUTH", "RATE_LIMIT_WRITE", "RATE_LIMIT_LOOKUP",
                 "RATE_LIMIT_PASSWORD_RESET", "RATELIMIT_ENABLED", "LISTING_PRICE_RISE_REVIEW_PCT", "CREDIT_PRIVILEGES_FILE",
                 "CREDIT_REPORT_DIR"}
    assert set(DOMAIN) | edge_only == set(NAMES) and not set(DOMAIN) & edge_only


def test_a_switch_that_is_not_a_switch_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("RATELIMIT_ENABLED", "maybe")
    with pytest.raises(ValueError, match="RATELIMIT_ENABLED"):
        config.load_settings(str(tmp_path))
    monkeypatch.setenv("RATELIMIT_ENABLED", "off")
    monkeypatch.setenv("PICKUP_HORIZON_DAYS", "two weeks")
    with pytest.raises(ValueError, match="PICKUP_HORIZON_DAYS"):
        config.load_settings(str(tmp_path))


def test_the_settings_object_is_frozen_and_keeps_secrets_out_of_its_repr(tmp_path, monkeypatch):
    monkeypatch.setenv("ID_HASH_KEY", "do-not-print-me")
    s = config.load_settings(str(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.pickup_horizon_days = 1
    assert "do-not-print-me" not in repr(s)
