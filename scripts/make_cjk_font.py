"""Build data/fonts/huanxin-cjk.ttf, the font certificate PDFs embed, from Debian's
fonts-wqy-microhei (WenQuanYi Micro Hei, Apache-2.0; a TrueType font, which ReportLab embeds).

Kept: ASCII and Latin-1, general and CJK punctuation, full-width forms, and every Chinese
character of GB 2312 (6,763 hanzi): enough for organisation names, places and device models.
A character outside the set prints as a box; widen CHARSETS and re-run to add more.

Run by hand when the set changes (apt-get install fonts-wqy-microhei first):
    .venv/bin/python scripts/make_cjk_font.py
"""
from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
TARGET = Path(__file__).resolve().parent.parent / "data" / "fonts" / "huanxin-cjk.ttf"
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x205E), (0x2100, 0x215F), (0x2190, 0x21FF),
          (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF01, 0xFF5E)]


def gb2312_hanzi() -> list[int]:
    found = []
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.append(cp)
    return found


def main() -> None:
    font = TTCollection(str(SOURCE)).fonts[0]
    codepoints = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)] + gb2312_hanzi()
    options = subset.Options()
    options.name_IDs = ["*"]            # keep the copyright and licence names
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False             # smaller; PDF viewers rasterise at high resolution
    options.layout_features = []
    sub = subset.Subsetter(options)
    sub.populate(unicodes=codepoints)
    sub.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET}: {len(codepoints)} code points, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
