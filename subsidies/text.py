"""Formatting of amounts and field values inside zh/en explanations."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .vocabulary import EMISSION_STANDARDS, FIELD_TYPES, KIND_NAMES

DISPOSAL_NAMES = {"scrap": ("报废", "scrapping"), "transfer": ("转让(置换)", "transfer (sale)")}
POWERTRAIN_NAMES = {
    "gasoline": ("汽油", "gasoline"), "diesel": ("柴油", "diesel"), "hybrid": ("油电混合", "hybrid"),
    "other_fuel": ("其他燃料", "other fuel"),
    "bev": ("纯电动", "battery electric"), "phev": ("插电式混合动力", "plug-in hybrid"),
    "erev": ("增程式", "range-extended electric"), "fcev": ("燃料电池", "fuel cell"),
}
EMISSION_NAMES = {name: (f"国{'一二三四五'[i]}" if i < 5 else ("国六A", "国六B")[i - 5], name.replace("_", " ").title())
                  for i, name in enumerate(EMISSION_STANDARDS)}
FIELD_NAMES = {
    "purchase.grade": ("能效或水效等级", "energy or water grade"),
    "purchase.price_fen": ("成交价", "final price"),
    "purchase.registered_in": ("新车登记地", "new car's registration region"),
    "trade_in.registered_in": ("旧车登记地", "old vehicle's registration region"),
    "trade_in.registered_to_applicant_since": ("旧车登记在申请人名下的日期", "date the old vehicle was registered to the applicant"),
    "trade_in.scrap_certificate_date": ("报废机动车回收证明日期", "scrap certificate date"),
    "trade_in.deregistration_date": ("机动车注销证明日期", "deregistration certificate date"),
    "purchase.registration_date": ("新车登记证书日期", "new car's registration certificate date"),
    "trade_in.first_registration_date": ("旧车注册登记日期", "old vehicle's first registration date"),
    "purchase.exchange_share_of_new": ("置换价占新品价格的比例", "exchange price as a share of the new part's price"),
    "purchase.exchange_price_fen": ("推广置换价格", "exchange price"),
    "purchase.new_price_fen": ("原型新品价格", "new part's price"),
    "trade_in.core_recovery_price_fen": ("旧件回收价格", "old part's recovery price"),
}


def money(fen: int, lang: str) -> str:
    yuan = f"{fen / 100:,.2f}" if fen % 100 else f"{fen // 100:,}"
    return f"{yuan}元" if lang == "zh" else f"CNY {yuan}"


def rate(value: Decimal) -> str:
    pct = (value * 100).normalize()
    return f"{pct:f}%"


def value(field: str, v: Any, lang: str) -> str:
    """Format one literal of `field`'s type; lists (in/between) are joined."""
    idx = 0 if lang == "zh" else 1
    if isinstance(v, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(value(field, x, lang) for x in v)
    ftype = FIELD_TYPES.get(field)
    if v is None:
        return "无" if lang == "zh" else "none"
    if ftype == "fen":
        return money(v, lang)
    if isinstance(v, dt.date):
        return v.isoformat()
    if ftype == "kind":
        return KIND_NAMES[v][idx]
    if ftype == "disposal":
        return DISPOSAL_NAMES[v][idx]
    if ftype == "powertrain":
        return POWERTRAIN_NAMES[v][idx]
    if ftype == "emission":
        return EMISSION_NAMES[v][idx]
    if ftype == "bool":
        return ("是", "否")[not v] if lang == "zh" else ("yes", "no")[not v]
    if field == "purchase.exchange_share_of_new":
        return f"{(Decimal(v) * 100).quantize(Decimal('0.1')).normalize():f}%"
    return str(v)


def between(field: str, v: Any, lang: str) -> str:
    lo, hi = value(field, v[0], lang), value(field, v[1], lang)
    return f"{lo}至{hi}" if lang == "zh" else f"{lo} to {hi}"


def field_name(field: str, lang: str) -> str:
    names = FIELD_NAMES.get(field)
    return names[0 if lang == "zh" else 1] if names else field


class Params(dict):
    """Template parameters; an absent key formats as empty rather than failing a quote."""

    def __missing__(self, key: str) -> str:
        return ""


TEMPLATE_KEYS = frozenset({"actual", "expected", "kind", "count", "max", "year", "start", "end",
                           "other", "cap", "field"})


def check_template(template: str) -> str | None:
    """Return an error message when `template` uses an unknown placeholder or bad syntax."""
    import string
    try:
        for _, name, _, _ in string.Formatter().parse(template):
            if name is not None and name not in TEMPLATE_KEYS:
                return f"unknown placeholder {{{name}}}; use {', '.join(sorted(TEMPLATE_KEYS))}"
    except ValueError as exc:
        return f"bad template: {exc}"
    return None
