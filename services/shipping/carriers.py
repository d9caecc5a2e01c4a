"""China's main parcel carriers and the shape of their tracking (waybill) numbers. Pure: no I/O.

The formats are the published waybill shapes as the carriers print them and as the public tracking
aggregators (Kuaidi100 / 快递100 "自动识别单号", Cainiao 菜鸟 tracking) recognise them, checked
on 2026-12 against sample waybills on each carrier's own tracking page:
- SF Express 顺丰: "SF" + 12 or 13 digits (since 2019), older waybills 12 digits.
- JD Logistics 京东物流: "JD" + 2 letters/digits + 11 digits ("JDVA01234567890", 15 characters),
  older "JD" + 13 digits.
- EMS 中国邮政: UPU S10 (two letters, 8 digits + check digit, "CN": "EA123456785CN") or the
  13-digit domestic number beginning 1 or 9.
- ZTO 中通: 12 or 15 digits beginning 7 (12-digit ones may begin 3 or 5).
- YTO 圆通: "YT" + 13 digits (older: 10 digits or a letter + 9 digits, no longer issued).
- STO 申通: 12 or 13 digits beginning 77, 66, 55, 88, 22 or 36.
- Yunda 韵达: 13 or 15 digits beginning 3, 4 or 1.
A format check catches typos and numbers of another carrier; it cannot prove the parcel exists
(the carrier's first tracking event does)."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CarrierInfo:
    code: str
    name_zh: str
    name_en: str
    pattern: re.Pattern
    example: str


def _c(code, zh, en, pattern, example) -> CarrierInfo:
    return CarrierInfo(code, zh, en, re.compile(pattern), example)


CARRIERS: dict[str, CarrierInfo] = {c.code: c for c in (
    _c("sf", "顺丰速运", "SF Express", r"SF\d{12,13}|\d{12}", "SF1234567890123"),
    _c("jd", "京东物流", "JD Logistics", r"JD[0-9A-Z]{2}\d{11}|JD\d{13}", "JDVA01234567890"),
    _c("ems", "中国邮政EMS", "China Post EMS", r"[A-Z]{2}\d{9}CN|[19]\d{12}", "EA123456785CN"),
    _c("zto", "中通快递", "ZTO Express", r"7\d{11}|7\d{14}|[35]\d{11}", "731234567890"),
    _c("yto", "圆通速递", "YTO Express", r"YT\d{13}", "YT1234567890123"),
    _c("sto", "申通快递", "STO Express", r"(77|66|55|88|22|36)\d{10,11}", "7712345678901"),
    _c("yunda", "韵达快递", "Yunda Express", r"[341]\d{12}|[341]\d{14}", "4312345678901"),
)}


def normalise(tracking_number: str) -> str:
    """What people type: spaces and dashes dropped, letters upper-cased."""
    return re.sub(r"[\s-]", "", tracking_number or "").upper()


def format_error(carrier: str, tracking_number: str) -> dict[str, list[str]]:
    """Field errors ({} when fine) for a carrier code and its tracking number."""
    info = CARRIERS.get(carrier)
    if info is None:
        return {"carrier": [f"One of: {', '.join(CARRIERS)}."]}
    if not info.pattern.fullmatch(normalise(tracking_number)):
        return {"tracking_number": [f"Not a {info.name_en} ({info.name_zh}) waybill number, e.g. {info.example}."]}
    return {}
