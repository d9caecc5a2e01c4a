"""Off-platform contact details in free text: phone numbers, WeChat and QQ ids, links, emails.

A seller who moves the buyer to WeChat takes the trade out of escrow, inspection and dispute
handling, so listings refuse such text (and chat can mask it with `mask`). Pure: the standard
library only, no database, so any domain can reuse it.

What it catches, in Chinese and English, half- or full-width (１３８), circled (①) or spelled out in
Chinese numerals (一三八…):
- mainland mobile numbers (1[3-9] + 9 digits), also split by spaces, dashes or dots (138 1234 5678,
  +86-138-1234-5678), landlines with an area code (0351-7654321) and 400/800 numbers;
- a WeChat id after 微信/威信/薇信/V信/VX/WX/wechat/weixin/加V/绿泡泡/卫星 (slang for 微信);
- a QQ number after QQ/扣扣/企鹅/Q号;
- links (http://, www., a host name under a common top-level domain) and email addresses.

What it leaves alone: prices (2800元, ¥1,299.00), model numbers (BCD-470WDPG, SM-S9180),
storage sizes (8+256GB), years and dates (2019-2023, 2023.05.01), mileages and 15-digit IMEI-like
runs: a phone number must be a whole run of digits, grouped the way people write phone numbers.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("phone", "wechat", "qq", "url", "email")

REASONS = {
    "phone": "Contains a phone number (电话号码)",
    "wechat": "Contains a WeChat id (微信号)",
    "qq": "Contains a QQ number (QQ号)",
    "url": "Contains a link (网址)",
    "email": "Contains an email address (邮箱)",
}
_TAIL = "; contact details must stay on the platform (请通过平台沟通)."

# Chinese numerals people use to spell a number past a filter; mapped one character to one
# digit so that positions in the normalised text are positions in the original.
_CN_DIGITS = {c: str(i) for i, chars in enumerate(
    ("零〇○", "一壹幺", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖")) for c in chars}


@dataclass(frozen=True)
class Finding:
    kind: str    # one of KINDS
    start: int   # span in the text as given
    end: int


def _normalise(text: str) -> str:
    """Same length as `text`: full-width forms and circled digits folded (NFKC, where it keeps
    one character), Chinese numerals turned into digits, letters lower-cased."""
    out = []
    for c in text:
        if c in _CN_DIGITS:
            out.append(_CN_DIGITS[c])
            continue
        if c.isdecimal() and not c.isascii():   # ١٣٨ (Arabic-Indic), ১৩৮ …: NFKC leaves these
            out.append(str(unicodedata.decimal(c)))
            continue
        n = unicodedata.normalize("NFKC", c)
        out.append(n.lower() if len(n) == 1 else c)
    return "".join(out)


# Digit groups joined by at most three separator characters: "138 1234 5678", "138-1234-5678".
_SEP = r"[ \t\-.·_—–]"
_RUN = re.compile(rf"\d+(?:{_SEP}{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(rf"(?<![\da-z.])(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}?\d{{7,8}}(?![\da-z.])")
_HOTLINE = re.compile(rf"(?<![\da-z.])[48]00{_SEP}?\d{{3}}{_SEP}?\d{{4}}(?![\da-z.])")

_URL = re.compile(
    r"(?:https?://|www\.)[^\s，。、；）)]+"
    r"|(?<![a-z0-9@.-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*"
    r"\.(?:com|cn|net|org|cc|top|xyz|io|me|vip|shop|link|info|co|tv|club|site|online|store)"
    r"(?![a-z0-9-])(?:/[^\s，。、；）)]*)?")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")

# A keyword, then a few joining characters (colon, 号, 是, 为, spaces), then the id itself.
_JOIN = r"[\s:：\-=]*(?:id|号码|账号|号)?[\s:：\-=]*(?:是|为|is)?[\s:：\-=]*"
_WECHAT_WORDS = (r"微信|威信|薇信|徽信|维信|v信|微\s*信|绿泡泡|卫星|加\s*v|\+\s*v|加\s*微"
                 r"|(?<![a-z0-9])(?:vx|wx|wechat|weixin|vchat)(?![a-z])")
_WECHAT = re.compile(rf"(?:{_WECHAT_WORDS})(?P<join>{_JOIN})"
                     rf"(?P<id>[a-z][-_a-z0-9]{{5,19}}|\d(?:{_SEP}?\d){{4,11}})(?![-_a-z0-9])")
_QQ_WORDS = r"(?<![a-z0-9])qq|扣扣|企鹅|球球|q号|(?<![a-z0-9])q(?=\s*[:：])"
_QQ = re.compile(rf"(?:{_QQ_WORDS}){_JOIN}(?P<id>[1-9](?:{_SEP}?\d){{4,10}})(?!\d)")


def _wechat_id(m: re.Match) -> bool:
    # Letters only ("微信 payment") read as an id only after an explicit 号/是/id/colon; an id with a
    # digit, "_" or "-" (the usual kind) counts after mere spaces too.
    ident, join = m.group("id"), m.group("join")
    return not ident.isalpha() or bool(re.search(r"[号是为:：=]|id|is", join))


def _phone_groups(groups: list[str]) -> bool:
    """Whether consecutive digit groups read as one mobile number the way people write it:
    one run of 11 digits, 3+4+4, 3+8, 7+4, or one or two digits at a time (1 3 8 …)."""
    digits = "".join(groups)
    if not _MOBILE.fullmatch(digits):
        return False
    lengths = [len(g) for g in groups]
    return (len(lengths) == 1 or lengths[0] in (3, 7) and all(n <= 8 for n in lengths)
            or all(n <= 2 for n in lengths))


def _latin_neighbour(norm: str, start: int, end: int) -> bool:
    # Digits glued to Latin letters are a serial or part number (C02XK13812345678), not a phone.
    return (start > 0 and "a" <= norm[start - 1] <= "z") or (end < len(norm) and "a" <= norm[end] <= "z")


def _mobiles(norm: str) -> list[Finding]:
    found = []
    for run in _RUN.finditer(norm):
        groups = list(_GROUP.finditer(run.group()))
        for i in range(len(groups)):
            total = 0
            for j in range(i, len(groups)):
                total += len(groups[j].group())
                if total > 11:
                    break
                start, end = run.start() + groups[i].start(), run.start() + groups[j].end()
                if total == 11 and _phone_groups([g.group() for g in groups[i:j + 1]]) \
                        and not _latin_neighbour(norm, start, end):
                    found.append(Finding("phone", start, end))
                    break
    return found


def find(text: str | None) -> list[Finding]:
    """Every off-platform contact detail in `text`, as non-overlapping spans in the order they
    appear (the longer finding wins where two overlap)."""
    if not text:
        return []
    # Invisible format characters (zero-width space and joiners, word joiner, soft hyphen) split
    # "138\u200b0013\u200b8000" for a pattern but not for a reader: match without them and map
    # the spans back onto the text as given.
    shown = [i for i, c in enumerate(text) if unicodedata.category(c) != "Cf"]
    if len(shown) == len(text):
        return _find(_normalise(text))
    return [Finding(f.kind, shown[f.start], shown[f.end - 1] + 1)
            for f in _find(_normalise("".join(text[i] for i in shown)))]


def _find(norm: str) -> list[Finding]:
    found = _mobiles(norm)
    found += [Finding("phone", m.start(), m.end()) for rx in (_LANDLINE, _HOTLINE) for m in rx.finditer(norm)]
    found += [Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    found += [Finding("url", m.start(), m.end()) for m in _URL.finditer(norm)]
    found += [Finding("wechat", m.start(), m.end()) for m in _WECHAT.finditer(norm) if _wechat_id(m)]
    found += [Finding("qq", m.start(), m.end()) for m in _QQ.finditer(norm)]
    # An email's domain also reads as a link, a "微信 138…" as a phone: keep the widest span.
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            if f.end - f.start > kept[-1].end - kept[-1].start:
                kept[-1] = f
            continue
        kept.append(f)
    return kept


def reason(findings: list[Finding]) -> str:
    """One sentence naming what was found, e.g. "Contains a WeChat id (微信号); contact details …"."""
    kinds = list(dict.fromkeys(f.kind for f in findings))
    return "; ".join(REASONS[k] for k in kinds) + _TAIL


def mask(text: str, placeholder: str = "***") -> str:
    """`text` with every finding replaced by `placeholder` (for chat, where refusing is too harsh)."""
    out, last = [], 0
    for f in find(text):
        out.append(text[last:f.start])
        out.append(placeholder)
        last = f.end
    out.append(text[last:])
    return "".join(out)


def field_errors(**texts: str | None) -> dict[str, list[str]]:
    """{field: [reason]} for each named text that holds contact details; {} when all are clean."""
    errors = {}
    for name, text in texts.items():
        findings = find(text)
        if findings:
            errors[name] = [reason(findings)]
    return errors
