"""Claim exports as files a retailer's clerk opens: CSV in UTF-8 with a byte-order mark (so Excel
reads Chinese text instead of mojibake) or an .xlsx workbook (XlsxWriter), with column headers as
stable codes (the default, for retailers' systems), in Chinese or in English. Times are shown in
China Standard Time with their offset; the JSON API keeps UTC."""
from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import xlsxwriter

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER_STYLES = ("code", "zh", "en")

# column code -> (Chinese, English); the order of the export is the order of this table.
LABELS: dict[str, tuple[str, str]] = {
    "reservation_id": ("补贴预约编号", "Reservation ID"),
    "source": ("来源", "Source"),
    "order_id": ("平台订单号", "Order ID"),
    "sale_id": ("门店销售单号", "Till sale ID"),
    "invoice_no": ("发票号码", "Invoice number"),
    "purchase_date": ("购买日期", "Purchase date"),
    "region": ("地区代码", "Region code"),
    "kind": ("品类", "Product kind"),
    "brand": ("品牌", "Brand"),
    "model": ("型号", "Model"),
    "energy_grade": ("能效等级", "Energy grade"),
    "water_grade": ("水效等级", "Water-efficiency grade"),
    "device": ("设备标识(脱敏)", "Device identifier (masked)"),
    "price_fen": ("成交价(分)", "Price (fen)"),
    "basis_fen": ("补贴计算基数(分)", "Subsidy basis (fen)"),
    "subsidy_fen": ("补贴金额(分)", "Subsidy (fen)"),
    "programme": ("补贴政策", "Programme"),
    "rule": ("适用规则", "Rule applied"),
    "buyer": ("购买人证件(脱敏)", "Buyer ID (masked)"),
    "old_item_kind": ("旧品品类", "Old item kind"),
    "recycler": ("回收企业", "Recycler"),
    "recycling_voucher_no": ("回收凭证号", "Recycling voucher number"),
    "wipe_certificate_id": ("数据清除证书编号", "Data-wipe certificate ID"),
    "wipe_certificate_status": ("数据清除证书状态", "Data-wipe certificate status"),
    "status": ("补贴状态", "Subsidy status"),
    "recycling_voucher_status": ("回收凭证核验状态", "Recycling voucher check"),
    "recycled_at": ("回收时间(北京时间)", "Recycled at (China Standard Time)"),
    "recycling_facility": ("回收场所", "Recycling facility"),
    "recycling_facility_tier": ("回收场所类型", "Recycling facility tier"),
    "scrap_certificate_no": ("报废机动车回收证明编号", "Scrap certificate number"),
    "vehicle_deregistered_at": ("机动车注销时间(北京时间)", "Vehicle deregistered at (China Standard Time)"),
    "recycling_voucher_conflict": ("回收凭证冲突", "Recycling voucher conflict"),
}


def headers(columns: list[str], style: str) -> list[str]:
    if style == "code":
        return list(columns)
    i = 0 if style == "zh" else 1
    return [LABELS[c][i] for c in columns]


def _shown(value):
    """A cell as a person reads it: timestamps in China Standard Time with the offset."""
    if value is None:
        return ""
    if isinstance(value, str) and "T" in value and len(value) >= 19:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return aware.astimezone(SHANGHAI).isoformat(timespec="seconds")
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value  # a brand typed as "=HYPERLINK(...)" stays text in a spreadsheet
    return value


_FORMULA_STARTS = frozenset("=+-@\t\r")


def to_csv(rows: list[dict], columns: list[str], style: str = "code") -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers(columns, style))
    for row in rows:
        writer.writerow([_shown(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[dict], columns: list[str], style: str = "code") -> bytes:
    """One worksheet, a bold frozen header row, columns wide enough to read."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_urls": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("claims")
    bold = book.add_format({"bold": True})
    for j, title in enumerate(headers(columns, style)):
        sheet.write_string(0, j, title, bold)
        sheet.set_column(j, j, max(12, min(40, len(title) * 2)))
    for i, row in enumerate(rows, start=1):
        for j, c in enumerate(columns):
            value = _shown(row.get(c))
            if isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
