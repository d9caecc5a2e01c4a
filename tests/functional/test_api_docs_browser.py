"""/api/docs in real headless Chromium with every host but the app unreachable: Swagger UI
comes from the app itself and renders the operations."""
import os
import re
import subprocess
import tempfile


CHROMIUM = "/usr/bin/chromium"


def test_api_docs_render_offline(live_url):
    assert os.access(CHROMIUM, os.X_OK), "chromium is missing: run `bash scripts/services.sh up chromium`"
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}",
             # no network but this machine's loopback: a CDN asset would fail to load
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
             "--proxy-bypass-list=127.0.0.1", "--virtual-time-budget=15000",
             "--window-size=1280,40000",  # Swagger UI draws the operations in view
             "--dump-dom", f"{live_url}/api/docs"],
            capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    assert "swagger-ui" in dom and "Huanxin marketplace API" in dom, dom[:2000]
    text = re.sub(r"<[^>]+>", "", re.sub(r"<wbr>|&ZeroWidthSpace;|\u200b", "", dom))
    for path in ("/api/v1/listings", "/api/v1/subsidies/quote", "/api/v1/orders", "/api/v1/pickups/availability"):
        assert path in text, path
    assert dom.count('class="opblock opblock-') > 100     # every operation is drawn, not just the header
