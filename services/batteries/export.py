"""The recycler's upload file for the national traceability platform: one row per custody event,
in the platform's fields (scrapped NEV's VIN, battery codes, quantity, model and flow, per the
报废机动车回收管理办法实施细则), as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX.

The VIN is kept only as a keyed hash and its last four characters (house rule for vehicle
identifiers), so the file carries the masked VIN and the 回收证明 number; the recycler completes
the VIN from its own 回收证明 register before uploading.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import identifiers
from services.accounts.models import User
from services.batteries.custody import REPORTING_RULES, member_org
from services.batteries.models import BatteryRecipient, BatteryEvent, TractionBattery

# (key, platform column title)
COLUMNS = [
    ("vin", "车辆识别代号(VIN)"),
    ("scrap_certificate_no", "报废机动车回收证明编号"),
    ("event", "环节"),
    ("event_date", "发生日期"),
    ("pack_code", "动力蓄电池包编码"),
    ("battery_type", "电池类型"),
    ("rated_capacity_kwh", "额定容量(kWh)"),
    ("quantity", "数量"),
    ("vehicle_incomplete", "车电不一致(缺电池)"),
    ("recipient_name", "流向企业名称"),
    ("recipient_credit_code", "流向企业统一社会信用代码"),
    ("recipient_type", "流向企业类型"),
    ("report_due_on", "上报截止日期"),
    ("reported", "已上报"),
]
EVENT_NAMES = {"vehicle_received": "报废车辆回收", "battery_handed_over": "电池出库移交"}
RECIPIENT_NAMES = {"oem_collection_point": "回收服务网点", "cascade_use": "梯次利用企业",
                   "recycling": "再生利用企业"}


def rows(session: Session, user: User, org_id=None, *, start: date | None = None, end: date | None = None) -> list[dict]:
    """The recycler's custody events (optionally those dated from `start` to `end`), oldest first."""
    org = member_org(user, org_id)
    stmt = (select(BatteryEvent, TractionBattery, BatteryRecipient)
            .join(TractionBattery, BatteryEvent.battery_id == TractionBattery.id)
            .outerjoin(BatteryRecipient, BatteryEvent.recipient_id == BatteryRecipient.id)
            .where(TractionBattery.recycler_org_id == org).order_by(BatteryEvent.happened_on, BatteryEvent.at))
    if start:
        stmt = stmt.where(BatteryEvent.happened_on >= start)
    if end:
        stmt = stmt.where(BatteryEvent.happened_on <= end)
    out = []
    for ev, b, r in session.execute(stmt).all():
        out.append({
            "vin": identifiers.mask(b.vin_last4), "scrap_certificate_no": b.scrap_certificate_no or "",
            "event": EVENT_NAMES.get(ev.kind, ev.kind), "event_date": ev.happened_on.isoformat(),
            "pack_code": b.pack_code or "", "battery_type": b.battery_type or "",
            "rated_capacity_kwh": "" if b.rated_capacity_kwh is None else f"{b.rated_capacity_kwh:g}",
            "quantity": 1 if b.pack_code else 0, "vehicle_incomplete": "是" if b.vehicle_incomplete else "否",
            "recipient_name": r.name if r else "", "recipient_credit_code": r.credit_code if r else "",
            "recipient_type": RECIPIENT_NAMES.get(r.recipient_type.value, "") if r else "",
            "report_due_on": ev.report_due_on.isoformat(), "reported": "是" if ev.reported_at else "否",
        })
    return out


def to_csv(data: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([title for _, title in COLUMNS])
    for row in data:
        w.writerow([row[k] for k, _ in COLUMNS])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(data: list[dict]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_urls": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("溯源上报")
    bold = book.add_format({"bold": True})
    for j, (_, title) in enumerate(COLUMNS):
        sheet.write_string(0, j, title, bold)
        sheet.set_column(j, j, max(12, len(title) * 2))
    for i, row in enumerate(data, start=1):
        for j, (k, _) in enumerate(COLUMNS):
            v = row[k]
            sheet.write_number(i, j, v) if isinstance(v, int) else sheet.write_string(i, j, str(v))
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


RULES_NOTE = f"{REPORTING_RULES['version']}: {REPORTING_RULES['source']}"
