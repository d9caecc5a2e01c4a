"""PDF rendering of a certificate for a buyer: a view, with a QR code to the verify page.

The signed JSON is the record. This rendering says so and prints the record's SHA-256 digest, so
a buyer holding a PDF is sent to the registry instead of trusting paper. The words come from
presentation.view (shared with the web page). Text is set in a CJK TrueType font kept in the
repository (data/fonts, Apache-2.0); ReportLab embeds the subset of glyphs each document uses, so
the PDF looks the same in every viewer and needs nothing downloaded.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .canonical import digest

FONT = "HuanxinCJK"
FONT_FILE = Path(__file__).resolve().parents[2] / "data" / "fonts" / "huanxin-cjk.ttf"
INK, MUTED, RULE = (0.11, 0.13, 0.16), (0.36, 0.38, 0.44), (0.85, 0.87, 0.9)
_VERDICT_COLOURS = {"valid": ((0.91, 0.97, 0.93), (0.12, 0.62, 0.33)),
                    "superseded": ((1.0, 0.96, 0.88), (0.9, 0.65, 0.0))}
_BAD = ((0.99, 0.93, 0.93), (0.85, 0.19, 0.15))


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (sharp at any zoom, no image codec needed)."""
    rows = list(segno.make(url, error="m").matrix_iter(border=4))
    cell = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


class _Page:
    """A cursor down an A4 page with the few drawing moves the certificate needs."""

    def __init__(self, canvas: Canvas):
        self.c, (self.width, self.height) = canvas, A4
        self.left, self.right = 18 * mm, A4[0] - 18 * mm
        self.y = self.height - 18 * mm

    def text(self, s: str, size: float = 10, *, x: float | None = None, colour=INK, gap: float | None = None,
             width: float | None = None) -> None:
        """Draw s, wrapped to width (CJK text wraps at any character), and move down."""
        x = self.left if x is None else x
        width = width or (self.right - x)
        self.c.setFont(FONT, size)
        self.c.setFillColorRGB(*colour)
        for line in _wrap(s, size, width):
            self.c.drawString(x, self.y, line)
            self.y -= gap or size * 1.45

    def heading(self, s: str) -> None:
        self.y -= 2.5 * mm
        self.text(s, 12.5, gap=5.5 * mm)
        self.c.setStrokeColorRGB(*RULE)
        self.c.line(self.left, self.y + 3.2 * mm, self.right, self.y + 3.2 * mm)
        self.y -= 1.5 * mm

    def field(self, label: str, value: str, *, label_width: float = 42 * mm, width: float | None = None) -> None:
        top = self.y
        self.text(label, 9, colour=MUTED)
        below_label, self.y = self.y, top
        self.text(value, 10, x=self.left + label_width, width=width and width - label_width)
        self.y = min(self.y, below_label) - 0.8 * mm


def _wrap(s: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in s:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width and line:
            cut = line.rfind(" ") if ch != " " and not _is_cjk(ch) else -1
            if cut > len(line) // 2:
                lines.append(line[:cut])
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ""
        line += ch
    return lines + [line] if line else lines or [""]


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def render(envelope: Mapping[str, Any], view: Mapping[str, Any], *, verify_url: str,
           compress: bool = True) -> bytes:
    """A one-page A4 PDF of the certificate as `view` words it (presentation.view), with its
    status at rendering time, a QR code to the verify page and the signature details."""
    _font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0)
    c.setTitle(f"数据清除证书 Data-wipe certificate {view['certificate_id']}")
    c.setAuthor(view["issuer"]["name"])
    p = _Page(c)
    _header(p, view)
    _verdict(p, view, verify_url)
    content_width = p.right - p.left - 50 * mm      # the QR code sits to the right of the device
    p.heading("设备 Device")
    d = view["device"]
    p.field("设备 Device", f"{d['make']} {d['model']} · {d['kind']['zh']} {d['kind']['en']}", width=content_width)
    if d["imeis"]:
        p.field("IMEI", "  ".join(d["imeis"]), width=content_width)
    if d["serial"]:
        p.field("序列号 Serial", d["serial"], width=content_width)
    p.field("去向 Destination", f"{view['destination']['zh']} {view['destination']['en']}", width=content_width)
    locks = view["locks"]
    p.field("激活锁 / FRP / MDM", " / ".join(f"{locks[k]['zh']} {locks[k]['en']}" for k in ("activation_lock", "frp", "mdm")),
            width=content_width)
    p.heading("数据清除 What was done")
    for i, m in enumerate(view["media"], 1):
        lv = m["level"]
        p.field(f"存储 {i} Storage {i}", f"{m['type']['zh']} {m['type']['en']}, {m['capacity']}")
        p.field("级别 Level", f"{lv['zh']} {lv['en']}: {lv['explain_zh']}")
        p.text(lv["explain_en"], 9.5, x=p.left + 42 * mm, colour=MUTED)
        p.field("方法 Method", f"{m['technique']['zh']} {m['technique']['en']} · 校验 checked by "
                f"{m['check']['zh']} {m['check']['en']} · {m['tool']}")
        p.field("完成 Completed", m["completed"])
    p.heading("若有不符 If something is wrong")
    for advice in ([view["advice"]] if view["advice"] else []) + [view["advice_mismatch"]]:
        p.text(advice["zh"], 9.5)
        p.text(advice["en"], 9, colour=MUTED)
        p.y -= 1.5 * mm
    _signatures(p, view)
    _footer(p, envelope, verify_url)
    c.showPage()
    c.save()
    return buf.getvalue()


def _header(p: _Page, view: Mapping[str, Any]) -> None:
    c = p.c
    c.setFillColorRGB(0.09, 0.36, 0.27)
    c.rect(0, p.height - 32 * mm, p.width, 32 * mm, stroke=0, fill=1)
    issuer = view["issuer"]
    p.y = p.height - 13 * mm
    p.text("数据清除证书  Data-wipe certificate", 18, colour=(1, 1, 1), gap=7.5 * mm)
    reg = f" · 登记号 Registration {issuer['registration']}" if issuer.get("registration") else ""
    p.text(f"签发机构 Issued by {issuer['name']}{reg}", 10, colour=(0.9, 0.96, 0.93))
    p.text(f"证书编号 No. {view['certificate_id']} · 签发 {view['issued']}", 8.5, colour=(0.9, 0.96, 0.93))
    p.y = p.height - 40 * mm


def _verdict(p: _Page, view: Mapping[str, Any], verify_url: str) -> None:
    fill, edge = _VERDICT_COLOURS.get(view["status"], _BAD)
    v = view["verdict"]
    top, box_h = p.y + 5 * mm, 22 * mm
    p.c.setFillColorRGB(*fill)
    p.c.setStrokeColorRGB(*edge)
    p.c.setLineWidth(1.5)
    p.c.roundRect(p.left, top - box_h, p.right - p.left, box_h, 3 * mm, stroke=1, fill=1)
    p.y = top - 7 * mm
    reason = f" — {view['status_reason']}" if view["status_reason"] and view["status"] != "valid" else ""
    p.text(f"状态 Status: {v['zh']} {v['en']}{reason}", 13, x=p.left + 5 * mm, gap=6 * mm)
    p.text(v["explain_zh"], 9.5, x=p.left + 5 * mm)
    p.text(v["explain_en"], 9, x=p.left + 5 * mm, colour=MUTED)
    p.y = top - box_h - 3 * mm
    _qr(p.c, verify_url, p.right - 44 * mm, p.y - 46 * mm, 44 * mm)
    p.c.setFont(FONT, 7.5)
    p.c.setFillColorRGB(*MUTED)
    p.c.drawCentredString(p.right - 22 * mm, p.y - 49 * mm, "扫码核验 Scan to verify")


def _signatures(p: _Page, view: Mapping[str, Any]) -> None:
    p.heading("签名 Signed by")
    top, col = p.y, (p.right - p.left) / 3
    for i, (label, name) in enumerate((("清除技术员 Technician", view["technician"]),
                                       ("复核人 Validator", view["validator"]),
                                       ("地点 Place", view["place"]))):
        p.y = top
        x = p.left + i * col
        p.text(label, 8.5, x=x, colour=MUTED, width=col - 4 * mm)
        p.text(name, 11, x=x, width=col - 4 * mm)
    p.y -= 2 * mm


def _footer(p: _Page, envelope: Mapping[str, Any], verify_url: str) -> None:
    c, y = p.c, 27 * mm
    c.setStrokeColorRGB(*RULE)
    c.line(p.left, y + 5 * mm, p.right, y + 5 * mm)
    p.y = y
    p.text(f"核验 Verify: {verify_url}", 8.5)
    p.text("本 PDF 仅为展示，经签名的 JSON 记录为准。This PDF is a rendering; the signed JSON record is authoritative.",
           7.5, colour=MUTED)
    p.text(f"签名 Signature: {envelope['alg']}, key {envelope['kid']} · SHA-256 (RFC 8785) {digest(envelope)}",
           6.5, colour=MUTED)
