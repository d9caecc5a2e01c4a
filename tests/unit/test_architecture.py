"""The dependency rule of ARCHITECTURE.md, enforced with import-linter (.importlinter)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dependency_rule_holds():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe), "--config", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_side_effects_on_import():
    code = ("import marketplace, services.models, marketplace.api, marketplace.cli, marketplace.jobs;"
            "import flask; assert flask.current_app.__class__.__name__ == 'LocalProxy'")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert r.returncode == 0, r.stderr
