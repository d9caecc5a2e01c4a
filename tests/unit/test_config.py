"""The embedded default's settings say true things about themselves."""
import logging

from marketplace import config


def test_public_base_url_follows_host_and_port(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8000")
    assert config.load(str(tmp_path))["PUBLIC_BASE_URL"] == "http://0.0.0.0:8000"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://huanxin.example.cn")
    assert config.load(str(tmp_path))["PUBLIC_BASE_URL"] == "https://huanxin.example.cn"


def test_throwaway_secrets_are_announced_as_generated_only_once(tmp_path, monkeypatch, caplog):
    for name in config.SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger=config.log.name):
        first = config.load(str(tmp_path))
        second = config.load(str(tmp_path))
    messages = [r.getMessage() for r in caplog.records]
    assert sum("generated throwaway secrets" in m for m in messages) == 1
    assert any("using the throwaway secrets" in m for m in messages)
    assert all(first[n] == second[n] for n in config.SECRET_NAMES)
