"""The public /verify/<id> page in real headless Chromium (Debian's /usr/bin/chromium):
the verdict a buyer sees for a valid, a tampered and a revoked certificate."""
import os
import re
import subprocess
import tempfile

from sqlalchemy import text

from services.certificates import service
from tests.factories.certificates import IMEI_1, IMEI_2, OTHER_IMEI, certify

CHROMIUM = "/usr/bin/chromium"


def _dom(url: str) -> str:
    assert os.access(CHROMIUM, os.X_OK), "chromium is missing: run `bash scripts/services.sh up chromium`"
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _verdict(dom: str) -> str:
    m = re.search(r'id="verdict" data-verdict="([a-z]+)"', dom)
    assert m, dom[:2000]
    return m.group(1)


def test_browser_shows_valid_tampered_and_revoked(live_url, session, team, ring):
    tech, validator, operator = team
    valid = certify(session, ring, imei=IMEI_1, serial=None, team=team)
    tampered = certify(session, ring, imei=IMEI_2, serial=None, team=team)
    revoked = certify(session, ring, imei=OTHER_IMEI, serial=None, team=team)
    service.revoke(session, operator.user, revoked.id, "验证抽检失败 QC re-check failed")
    # an insider edits the stored record: the signature no longer matches
    session.execute(text("UPDATE wipe_certificates SET payload = "
                         "replace(payload::text, '\"apple-nand\"', '\"apple-nand \"')::json "
                         "WHERE id = :id"), {"id": tampered.id})
    session.commit()

    dom = _dom(f"{live_url}/verify/{valid.id}?imei={IMEI_1}")
    assert _verdict(dom) == "valid"
    assert "有效" in dom and "Valid" in dom and "****7518" in dom and IMEI_1 not in dom.replace(
        f"imei={IMEI_1}", "")
    assert 'data-match="yes"' in dom

    dom = _dom(f"{live_url}/verify/{tampered.id}")
    assert _verdict(dom) == "tampered"
    assert "签名不符" in dom and "signature does not match" in dom

    dom = _dom(f"{live_url}/verify/{revoked.id}")
    assert _verdict(dom) == "revoked"
    assert "已撤销" in dom and "Revoked" in dom and "QC re-check failed" in dom

    dom = _dom(f"{live_url}/verify/{valid.id}?imei={OTHER_IMEI}")
    assert _verdict(dom) == "valid" and 'data-match="no"' in dom


def _screenshot(url: str, width: int, height: int, path: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", f"--screenshot={path}", url],
            capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_page_speaks_to_a_buyer_at_desktop_and_phone_widths(live_url, session, team, ring, tmp_path):
    """The words a buyer reads: issuer by name, device and storage in words, the level explained,
    China Standard Time, what to do when revoked or when the IMEI does not match; the page is
    drawn at a desktop and a phone width."""
    tech, validator, operator = team
    cert = certify(session, ring, imei=IMEI_1, serial=None, team=team)
    service.revoke(session, operator.user, cert.id, "验证抽检失败 QC re-check failed")
    session.commit()
    url = f"{live_url}/verify/{cert.id}?imei={OTHER_IMEI}"
    dom = _dom(url)
    text = re.sub(r"<[^>]+>", " ", dom)
    org = re.search(r'id="issuer">签发机构 Issued by ([^<·]+)', dom).group(1).strip()
    assert org == session.get(type(tech.user.memberships[0].org), tech.org_id).name
    for words in ("手机", "Phone", "GB", "即使实验室手段也无法恢复", "(UTC+08:00)", "请勿以此证书为依据交易",
                  "open a dispute", "不一致", "签名详情"):
        assert words in text, words
    assert "bytes" not in text and "crypto_erase" not in text and "command_status" not in text
    for name, (w, h) in {"desktop": (1280, 900), "phone": (390, 844)}.items():
        path = str(tmp_path / f"{name}.png")
        _screenshot(url, w, h, path)
        assert _png_size(path) == (w, h) and os.path.getsize(path) > 10_000, name
