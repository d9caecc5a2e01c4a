"""The one settings loader: the environment, read once, into the typed `services.settings.Settings`.

Defaults are the dataclass's (services/settings.py), booleans and integers are parsed here and
nowhere else, and the development secrets are generated here once (with a log line saying they are
throwaway). create_app keeps the result in its container and copies it into app.config for Flask's
own keys and the edge modules that read config.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import uuid
from pathlib import Path
from typing import Mapping

from services.certificates.signing import new_private_key_b64
from services.settings import Settings

log = logging.getLogger(__name__)

SECRET_NAMES = ("SECRET_KEY", "ID_HASH_KEY")
_TRUE = frozenset(("1", "true", "yes", "on"))
_FALSE = frozenset(("0", "false", "no", "off", ""))


def parse(kind: type, name: str, raw: str):
    """The text of environment variable `name` as `kind` (bool, int or str); a clear error otherwise."""
    if kind is bool:
        low = raw.strip().lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise ValueError(f"{name}={raw!r} is not a switch: use one of {sorted(_TRUE | _FALSE - {''})}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a whole number") from None
    return raw


def load_settings(instance_path: str, overrides: Mapping | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (default os.environ), then `overrides` (by environment name, values
    already typed: tests and embedders), then the derived defaults that depend on other settings."""
    environ = os.environ if environ is None else environ
    kinds = Settings.kinds()
    values: dict = {}
    for env_name, field in Settings.env_names().items():
        if env_name in environ:
            values[field] = parse(kinds[field], env_name, environ[env_name])
    for env_name, value in (overrides or {}).items():
        field = env_name.lower()
        if field in kinds:
            values[field] = parse(kinds[field], env_name, value) if isinstance(value, str) else value
    s = Settings(**values)
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    derived: dict = {}
    if not s.database_url:
        derived["database_url"] = f"sqlite:///{instance / 'huanxin.db'}"
    if not s.storage_dir:
        derived["storage_dir"] = str(instance / "uploads")
    if s.jobs_inline is None:
        derived["jobs_inline"] = not s.redis_url
    if s.search_relay_inline is None:
        derived["search_relay_inline"] = derived.get("jobs_inline", s.jobs_inline)
    if not s.public_base_url:
        # Links printed on documents (certificate QR codes) must reach the server that printed them.
        derived["public_base_url"] = f"http://{environ.get('HOST', '127.0.0.1')}:{environ.get('PORT', '5000')}"
    if not s.search_backend:
        derived["search_backend"] = "elasticsearch" if s.elasticsearch_url else "database"
    derived.update(_throwaway_secrets(s, instance))
    derived.update(_throwaway_signing_key(s, instance))
    return dataclasses.replace(s, **derived)


def _throwaway_secrets(s: Settings, instance: Path) -> dict:
    """The embedded default makes its own keys, kept in the (git-ignored) instance folder so that
    hashes stay comparable across restarts, and says so loudly. Production sets them in the env."""
    missing = [n for n in SECRET_NAMES if not getattr(s, n.lower())]
    if not missing:
        return {}
    store = instance / "throwaway-secrets.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    generated = [n for n in missing if n not in saved]
    for name in generated:
        saved[name] = secrets.token_hex(32)
    if generated:
        store.write_text(json.dumps(saved))
        store.chmod(0o600)
        log.warning("generated throwaway secrets %s in %s: set them in the environment for production",
                    ", ".join(generated), store)
    else:
        log.info("using the throwaway secrets %s kept in %s: set them in the environment for production",
                 ", ".join(missing), store)
    return {n.lower(): saved[n] for n in missing}


def _throwaway_signing_key(s: Settings, instance: Path) -> dict:
    """Without CERT_SIGNING_KEYS, a throwaway certificate signing key kept in the instance folder,
    so that certificates issued by `make run` still verify after a restart."""
    if s.cert_signing_keys:
        return {}
    store = instance / "cert-signing-keys.json"
    if not store.exists():
        store.write_text(json.dumps({f"dev-{uuid.uuid4().hex[:8]}": new_private_key_b64()}))
        store.chmod(0o600)
    log.warning("CERT_SIGNING_KEYS is not set: using the throwaway certificate signing key in %s "
                "(development only)", store)
    return {"cert_signing_keys": store.read_text()}
