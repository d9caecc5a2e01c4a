"""PDF rendering of a certificate: a view for people, with a QR code to the verify page.

The signed JSON is the record. This rendering says so on every page and prints the record's
SHA-256 digest, so a buyer holding a PDF is sent to the registry instead of trusting paper.
Chinese text uses ReportLab's built-in STSong-Light CID font: no font file has to ship.
"""
from __future__ import annotations

import io
from typing import Any, Mapping

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from .canonical import digest
from .document import masked_summary

FONT = "STSong-Light"
_LEVELS = {"clear": "清除 Clear", "purge": "净化 Purge", "destroy": "销毁 Destroy"}
_STATUS = {"valid": "有效 Valid", "superseded": "已被取代 Superseded", "revoked": "已撤销 Revoked"}


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (sharp at any zoom, no image codec needed)."""
    rows = list(segno.make(url, error="m").matrix_iter(border=4))
    cell = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def render(envelope: Mapping[str, Any], *, verify_url: str, status: str,
           status_reason: str | None = None, compress: bool = True) -> bytes:
    """A one-page A4 PDF of the certificate, its status at rendering time and a QR code."""
    _font()
    payload = envelope["payload"]
    summary = masked_summary(payload)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0)
    c.setTitle(f"Data-wipe certificate {payload['certificate_id']}")
    width, height = A4
    y = height - 25 * mm

    def line(text: str, size: float = 10, gap: float = 6 * mm, x: float = 20 * mm) -> None:
        nonlocal y
        c.setFont(FONT, size)
        c.drawString(x, y, text)
        y -= gap

    line("数据清除证书  Data-wipe certificate", 18, 10 * mm)
    line(f"证书编号 Certificate: {payload['certificate_id']}")
    line(f"状态 Status: {_STATUS.get(status, status)}"
         + (f" — {status_reason}" if status_reason else ""))
    line(f"签发 Issued: {payload['issued_at']}   签名密钥 Key: {envelope['kid']} ({envelope['alg']})")
    if payload.get("supersedes"):
        line(f"取代 Supersedes: {payload['supersedes']}")
    y -= 3 * mm
    line(f"设备 Device: {summary['make']} {summary['model']} ({summary['kind']})", 12, 7 * mm)
    if summary["imeis"]:
        line(f"IMEI: {', '.join(summary['imeis'])}")
    if summary["serial"]:
        line(f"序列号 Serial: {summary['serial']}")
    line(f"去向 Destination: {summary['destination']}   "
         f"机构 Organisation: {summary['organization_id'] or '-'}")
    locks = summary["locks"]
    line(f"激活锁 Activation Lock: {locks['activation_lock']}   FRP: {locks['frp']}   "
         f"MDM: {locks['mdm']}")
    y -= 3 * mm
    for i, m in enumerate(summary["media"], 1):
        line(f"介质 Medium {i}: {m['media_type']}, {m['capacity_bytes']:,} bytes", 11, 6 * mm)
        line(f"级别 Level: {_LEVELS.get(m['level'], m['level'])}   方法 Technique: "
             f"{m['technique']}   验证 Verification: {m['verification']}", x=26 * mm)
        line(f"工具 Tool: {m['tool']}   完成 Completed: {m['completed_at']}", x=26 * mm)
    _qr(c, verify_url, width - 60 * mm, height - 70 * mm, 40 * mm)
    c.setFont(FONT, 8)
    c.drawString(20 * mm, 25 * mm, f"扫码核验 Verify: {verify_url}")
    c.drawString(20 * mm, 20 * mm, "本 PDF 仅为展示；经签名的 JSON 记录为准。"
                 "This PDF is a rendering; the signed JSON record is authoritative.")
    c.drawString(20 * mm, 15 * mm, f"SHA-256 (RFC 8785): {digest(envelope)}")
    c.showPage()
    c.save()
    return buf.getvalue()
