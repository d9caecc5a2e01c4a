"""Every setting any domain reads can be set from the environment: each name the code looks up in
the app config is declared in marketplace/config.py DEFAULTS (or is a secret), and every declared
name, set in the environment, arrives in the config with its type."""
import re
from pathlib import Path

import pytest

from marketplace import config

ROOT = Path(__file__).resolve().parents[2]
LOOKUP = re.compile(r"""(?:config|cfg)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
# Set by create_app itself from other settings, or Flask's and our test harness's own switches.
DERIVED = {"RATELIMIT_STORAGE_URI", "TESTING", "DEBUG"}


def _names_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for package in ("marketplace", "services", "search", "subsidies"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(LOOKUP.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_setting_the_code_reads_is_declared():
    names = _names_read_by_the_code()
    assert {"PICKUP_HORIZON_DAYS", "PICKUP_NO_SHOW_GRACE_MINUTES", "PLATFORM_FEE_BPS"} <= names  # the scan works
    undeclared = names - set(config.DEFAULTS) - set(config.SECRET_NAMES) - DERIVED
    assert not undeclared, f"read from the config but not settable from the environment: {sorted(undeclared)}"


def _env_value(name, default):
    if name == "JOBS_INLINE":  # unset means "inline unless REDIS_URL"; set, it is a switch
        return "yes", True
    if isinstance(default, bool):
        return ("false" if default else "true"), (not default)
    if isinstance(default, int):
        return str(default + 7), default + 7
    return f"env-{name.lower()}", f"env-{name.lower()}"


@pytest.mark.parametrize("name", sorted(config.DEFAULTS))
def test_each_declared_setting_is_read_from_the_environment(name, monkeypatch, tmp_path):
    raw, expected = _env_value(name, config.DEFAULTS[name])
    monkeypatch.setenv(name, raw)
    loaded = config.load(str(tmp_path))
    assert loaded[name] == expected and type(loaded[name]) is type(expected)
