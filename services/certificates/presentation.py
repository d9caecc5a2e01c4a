"""A certificate in words a buyer reads (the verify page and the PDF share it): the issuing
organisation by name and registration, the device and its storage in plain terms, the wipe level
explained in one sentence, times in China Standard Time, what to do when something is wrong, and
the signature details kept for whoever wants to check them. The signed record stays the truth;
this only words it."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.accounts.models import Organization

from .document import masked_summary

SHANGHAI = ZoneInfo("Asia/Shanghai")

KINDS = {"phone": ("手机", "Phone"), "tablet": ("平板电脑", "Tablet"), "laptop": ("笔记本电脑", "Laptop"),
         "desktop": ("台式电脑", "Desktop computer"), "drive": ("硬盘", "Drive"), "other": ("其他设备", "Other device")}
MEDIA = {"magnetic": ("机械硬盘", "hard disk"), "flash_ssd": ("固态硬盘", "solid-state drive"),
         "flash_embedded": ("内置闪存", "built-in flash storage"),
         "flash_removable": ("可移动存储卡/U盘", "removable card or stick")}
LEVELS = {
    "clear": ("清除", "Clear",
              "用覆写等常规方式清除了全部用户数据，普通软件手段无法恢复。",
              "All user data was overwritten by ordinary means; ordinary software cannot recover it."),
    "purge": ("净化", "Purge",
              "用设备自身的安全擦除或加密擦除清除了数据，即使实验室手段也无法恢复。",
              "The device's own secure or cryptographic erase removed the data; not even a laboratory can recover it."),
    "destroy": ("销毁", "Destroy",
                "存储介质已被物理销毁，数据不复存在。",
                "The storage was physically destroyed; the data no longer exists."),
}
TECHNIQUES = {"overwrite": ("覆写", "overwrite"), "block_erase": ("块擦除", "block erase"),
              "crypto_erase": ("加密擦除", "cryptographic erase"), "factory_reset": ("恢复出厂设置", "factory reset"),
              "physical_destruction": ("物理销毁", "physical destruction")}
CHECKS = {"full_readback": ("全盘回读校验", "every block read back"),
          "sampled_readback": ("抽样回读校验", "sampled blocks read back"),
          "command_status": ("擦除指令执行记录", "the erase command's completion log"),
          "visual_inspection": ("目视检查碎片", "the fragments inspected"), "none": ("未校验", "not checked")}
LOCKS = {"not_present": ("无", "none"), "removed": ("已解除", "removed"), "present": ("仍存在", "still on"),
         "unknown": ("未知", "unknown")}
DESTINATIONS = {"resale": ("转售", "resale"), "recycling": ("回收", "recycling"), "destruction": ("销毁", "destruction")}
VERDICTS = {
    "valid": ("有效", "Valid", "签名有效，这是该设备当前有效的数据清除证书。",
              "The signature holds and this is the device's current data-wipe certificate."),
    "invalid": ("无效：签名不符", "Invalid: signature does not match", "证书内容与签名不一致，可能已被篡改。请勿信任此证书。",
                "The record does not match its signature and may have been altered. Do not rely on it."),
    "revoked": ("已撤销", "Revoked", "此证书已被撤销，不能证明设备数据已清除。",
                "This certificate has been revoked; it no longer shows that the device was wiped."),
    "superseded": ("已被取代", "Superseded", "此证书已被更正后的新证书取代，请查看新证书。",
                   "A corrected certificate has replaced this one; check the new one."),
}
ADVICE_MISMATCH = ("设备的 IMEI 或序列号与证书不符：证书不属于这台设备。请勿付款或确认收货，联系卖家，并在订单中发起争议；"
                   "平台客服会协助处理。",
                   "The device's IMEI or serial does not match: this certificate is not for this device. Do not pay "
                   "or accept the order; contact the seller and open a dispute on the order, and our support team will help.")
ADVICE_NOT_VALID = ("证书不再有效：请勿以此证书为依据交易。已下单的，可在订单中发起争议或申请退款；卖家可请回收商重新清除并签发新证书。",
                    "The certificate is no longer valid: do not trade on it. If you have ordered, open a dispute or ask "
                    "for a refund on the order; the seller can have a recycler wipe the device again and issue a new one.")


def shown_time(value: str | dt.datetime | None) -> str:
    """An instant as a person in China reads it: 2026-12-05 06:36 (UTC+08:00)."""
    if value is None:
        return "-"
    at = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M (UTC+08:00)")


def capacity(n_bytes: int) -> str:
    """Decimal gigabytes, as printed on the box: 256,000,000,000 bytes is 256 GB."""
    gb = n_bytes / 1e9
    if gb >= 1000:
        return f"{gb / 1000:.3g} TB"
    return f"{gb:.3g} GB" if gb >= 1 else f"{n_bytes / 1e6:.3g} MB"


def masked_name(name: str | None) -> str:
    """A person on a public document: their family name and a star per other character."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "-"


def issuer(session: Session, organization_id: str | None) -> dict[str, Any]:
    """The issuing organisation as printed: its name and its public registration (the recycling
    registration number, else the unified social credit code an operator checked)."""
    try:
        # The id comes from the signed payload as text: SQLite's UUID type binds only a UUID
        # (PostgreSQL coerced the text, which is why the page only failed on `make run`).
        org_id = uuid.UUID(str(organization_id)) if organization_id else None
    except ValueError:
        org_id = None
    org = session.get(Organization, org_id) if org_id else None
    if org is None:
        return {"name": "-", "registration": None}
    return {"name": org.name, "registration": org.recycling_reg_no or org.uscc or org.licence_no}


def _pair(table: Mapping[str, tuple], code: str) -> dict[str, str]:
    zh, en = table.get(code, (code, code))[:2]
    return {"code": code, "zh": zh, "en": en}


def issuing_org_id(payload: Mapping[str, Any]) -> str | None:
    return payload["technician"].get("organization_id")


def view(payload: Mapping[str, Any], *, status: str, status_reason: str | None = None,
         issued_by: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything a buyer's page or PDF prints about one certificate; `issued_by` is
    `issuer(session, issuing_org_id(payload))`."""
    summary = masked_summary(payload)
    media = []
    for m in summary["media"]:
        level = LEVELS.get(m["level"], (m["level"], m["level"], "", ""))
        media.append({"type": _pair(MEDIA, m["media_type"]), "capacity": capacity(m["capacity_bytes"]),
                      "level": {"code": m["level"], "zh": level[0], "en": level[1],
                                "explain_zh": level[2], "explain_en": level[3]},
                      "technique": _pair(TECHNIQUES, m["technique"]), "check": _pair(CHECKS, m["verification"]),
                      "tool": m["tool"], "completed": shown_time(m["completed_at"])})
    verdict = VERDICTS.get(status, (status, status, "", ""))
    return {
        "certificate_id": payload["certificate_id"],
        "status": status, "status_reason": status_reason,
        "verdict": {"zh": verdict[0], "en": verdict[1], "explain_zh": verdict[2], "explain_en": verdict[3]},
        "advice": None if status == "valid" else {"zh": ADVICE_NOT_VALID[0], "en": ADVICE_NOT_VALID[1]},
        "advice_mismatch": {"zh": ADVICE_MISMATCH[0], "en": ADVICE_MISMATCH[1]},
        "issuer": dict(issued_by or {"name": "-", "registration": None}),
        "issued": shown_time(payload["issued_at"]),
        "device": {"kind": _pair(KINDS, summary["kind"]), "make": summary["make"], "model": summary["model"],
                   "imeis": summary["imeis"], "serial": summary["serial"]},
        "destination": _pair(DESTINATIONS, summary["destination"]),
        "locks": {name: _pair(LOCKS, state) for name, state in summary["locks"].items()},
        "media": media,
        "technician": masked_name(payload["technician"].get("name")),
        "validator": masked_name(payload["validator"].get("name")),
        "place": payload.get("place") or "-",
    }
