"""The embedded default's settings say true things about themselves."""
import logging

from marketplace import config


def test_public_base_url_follows_host_and_port(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8000")
    assert config.load_settings(str(tmp_path)).public_base_url == "http://0.0.0.0:8000"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://huanxin.example.cn")
    assert config.load_settings(str(tmp_path)).public_base_url == "https://huanxin.example.cn"


def test_throwaway_secrets_are_announced_as_generated_only_once(tmp_path, monkeypatch, caplog):
    for name in (*config.SECRET_NAMES, "CERT_SIGNING_KEYS"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger=config.log.name):
        first = config.load_settings(str(tmp_path))
        second = config.load_settings(str(tmp_path))
    messages = [r.getMessage() for r in caplog.records]
    assert sum("generated throwaway secrets" in m for m in messages) == 1
    assert any("using the throwaway secrets" in m for m in messages)
    assert sum("throwaway certificate signing key" in m for m in messages) == 2
    for name in ("secret_key", "id_hash_key", "cert_signing_keys"):
        assert getattr(first, name) and getattr(first, name) == getattr(second, name)


def test_jobs_and_the_search_relay_run_inline_without_redis(tmp_path, monkeypatch):
    for name in ("REDIS_URL", "JOBS_INLINE", "SEARCH_RELAY_INLINE"):
        monkeypatch.delenv(name, raising=False)
    s = config.load_settings(str(tmp_path))
    assert s.jobs_inline is True and s.search_relay_inline is True
    s = config.load_settings(str(tmp_path), {"REDIS_URL": "redis://127.0.0.1:6379/1"})
    assert s.jobs_inline is False and s.search_relay_inline is False
