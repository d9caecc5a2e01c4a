import io

import pypdf
import segno

from services.certificates import document, pdf, presentation
from services.identifiers import IdHasher
from services.certificates.canonical import digest
from services.certificates.signing import Keyring
from tests.factories.certificates import IMEI_1, NOW, phone_draft

URL = "https://huanxin.example/verify/0b7c3f7e-90f5-4d1e-8d35-1d7f5b1b9a01"


ISSUER = {"name": "吕梁再生资源回收有限公司", "registration": "SX-HS-2026-0012"}


def _render(env, status="valid", reason=None, compress=True) -> bytes:
    view = presentation.view(env["payload"], status=status, status_reason=reason, issued_by=ISSUER)
    return pdf.render(env, view, verify_url=URL, compress=compress)


def _shown_text(pdf_bytes: bytes) -> str:
    """The text a person reads, as a PDF reader extracts it (through the font's ToUnicode map)."""
    return pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()


def _envelope():
    ring = Keyring()
    ring.generate("k1")
    payload = document.build(phone_draft(), certificate_id="0b7c3f7e-90f5-4d1e-8d35-1d7f5b1b9a01",
                             issued_at=NOW, hasher=IdHasher("unit-test-id-hash-key"))
    return ring.sign(payload).to_dict()


def test_pdf_carries_id_status_digest_and_verify_url_but_no_raw_imei():
    env = _envelope()
    raw = _render(env, "revoked", "wrong device", compress=False)
    assert raw.startswith(b"%PDF-") and raw.rstrip().endswith(b"%%EOF")
    text = _shown_text(raw)
    for needle in (env["payload"]["certificate_id"], URL, digest(env), "已撤销 Revoked — wrong device",
                   "key k1", "****7518", "净化 Purge", "Apple iPhone 13", "authoritative"):
        assert needle in text, needle
    assert IMEI_1 not in text and IMEI_1 not in raw.decode("latin-1")


def test_pdf_speaks_to_a_buyer():
    """The issuer by name and registration, storage in GB, the level in one sentence, times in
    China Standard Time, what to do when revoked or mismatched, and who signed (masked)."""
    text = _shown_text(_render(_envelope(), "revoked", "wrong device"))
    for needle in ("吕梁再生资源回收有限公司", "SX-HS-2026-0012", "128 GB", "即使实验室手段也无法恢",
                   "(UTC+08:00)", "请勿以此证书为依据交易", "open a dispute", "王*", "李*"):
        assert needle in text, needle
    assert "bytes" not in text and "crypto_erase" not in text and "command_status" not in text
    valid = _shown_text(_render(_envelope(), "valid"))
    assert "有效 Valid" in valid and "请勿以此证书为依据交易" not in valid


def test_pdf_embeds_its_cjk_font_and_uses_the_page():
    reader = pypdf.PdfReader(io.BytesIO(_render(_envelope())))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    descriptors = [d["/FontDescriptor"] for f in fonts for d in
                   ([f] if "/FontDescriptor" in f else [x.get_object() for x in f.get("/DescendantFonts", [])])]
    assert descriptors and all("/FontFile2" in d for d in descriptors)  # embedded TrueType, not a viewer's font
    lowest = []
    reader.pages[0].extract_text(visitor_text=lambda t, cm, tm, *_: t.strip() and lowest.append(tm[5]))
    assert min(lowest) < 40 * 72 / 25.4     # the footer sits at the bottom of the A4 page, not mid-page


def test_qr_draws_one_square_per_dark_module():
    raw = _render(_envelope(), compress=False).decode("latin-1")
    dark = sum(sum(row) for row in segno.make(URL, error="m").matrix_iter(border=4))
    assert raw.count(" re f") == dark + 1   # and one filled rectangle: the header band
