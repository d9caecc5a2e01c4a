import re

import segno

from services.certificates import document, pdf
from services.certificates.canonical import digest
from services.certificates.signing import Keyring
from tests.factories.certificates import IMEI_1, NOW, phone_draft

URL = "https://huanxin.example/verify/0b7c3f7e-90f5-4d1e-8d35-1d7f5b1b9a01"


_ESC = {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "f": b"\f"}


def _shown_text(pdf_bytes: bytes) -> str:
    """The strings drawn with Tj (uncompressed PDF, UTF-16BE CID font), unescaped and joined."""
    out = []
    for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf_bytes, re.S):
        raw, i = bytearray(), 0
        while i < len(lit):
            ch = lit[i:i + 1]
            if ch != b"\\":
                raw += ch
                i += 1
            elif (m := re.match(rb"[0-7]{1,3}", lit[i + 1:i + 4])):
                raw.append(int(m.group(), 8))
                i += 1 + len(m.group())
            else:
                nxt = lit[i + 1:i + 2]
                raw += _ESC.get(nxt.decode(), nxt)
                i += 2
        out.append(raw.decode("utf-16-be"))
    return "\n".join(out)


def _envelope():
    ring = Keyring()
    ring.generate("k1")
    payload = document.build(phone_draft(), certificate_id="0b7c3f7e-90f5-4d1e-8d35-1d7f5b1b9a01",
                             issued_at=NOW)
    return ring.sign(payload).to_dict()


def test_pdf_carries_id_status_digest_and_verify_url_but_no_raw_imei():
    env = _envelope()
    raw = pdf.render(env, verify_url=URL, status="revoked", status_reason="wrong device",
                     compress=False)
    assert raw.startswith(b"%PDF-") and raw.rstrip().endswith(b"%%EOF")
    text = _shown_text(raw)
    for needle in (env["payload"]["certificate_id"], URL, digest(env), "已撤销 Revoked — wrong device",
                   "k1 (Ed25519)", "****7518", "净化 Purge", "Apple iPhone 13", "authoritative"):
        assert needle in text
    assert IMEI_1 not in text and IMEI_1 not in raw.decode("latin-1")

def test_qr_draws_one_square_per_dark_module():
    raw = pdf.render(_envelope(), verify_url=URL, status="valid", compress=False).decode("latin-1")
    dark = sum(sum(row) for row in segno.make(URL, error="m").matrix_iter(border=4))
    assert raw.count(" re f") == dark
