"""Demo data for issue 22.4: battery recipients (made up, marked 示例, credit codes with a valid
check character), and two NEVs scrapped at recycler1@ (Lüliang, an authorised dismantler): one
with its battery, handed over to a listed cascade-use firm, one handed in without it (incomplete,
车电一体)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services import clock, identifiers
from services.accounts.models import User
from services.batteries import custody as batteries


def _uscc(n: int) -> str:
    body = f"91370700MA{n:07d}"
    return body + identifiers.uscc_check_char(body)


def _vin(serial: str) -> str:
    body = "LGXC1" + "6DF5" + "0" + "A" + serial  # 17 characters, check digit at position 9
    return body[:8] + identifiers.vin_check_digit(body) + body[9:]


def seed(session: Session, people: dict[str, list[User]]) -> list[str]:
    operator, recycler = people["operator"][0], people["recycler"][0]
    cascade = batteries.add_recipient(session, operator, {
        "name": "山西示例梯次利用科技有限公司(示例)", "credit_code": _uscc(101), "recipient_type": "cascade_use",
        "list_ref": "综合利用行业规范条件企业名单(示例)", "region_code": "140100"})
    batteries.add_recipient(session, operator, {
        "name": "示例动力电池再生利用有限公司(示例)", "credit_code": _uscc(102), "recipient_type": "recycling",
        "list_ref": "综合利用行业规范条件企业名单(示例)", "region_code": "141100"})
    today = clock.now(session).astimezone(clock.SHANGHAI).date()
    with_battery = batteries.record(session, recycler, {
        "vin": _vin("000001"), "scrap_certificate_no": "BF1411002026000101", "battery_present": True,
        "pack_code": "03HPE0Z1A0000B6C4A0000101", "battery_type": "LFP", "rated_capacity_kwh": 51.5,
        "received_on": today - timedelta(days=10)})
    batteries.hand_over(session, recycler, with_battery.id, cascade.id, today - timedelta(days=3))
    batteries.record(session, recycler, {
        "vin": _vin("000002"), "scrap_certificate_no": "BF1411002026000102", "battery_present": False,
        "received_on": today - timedelta(days=30), "late_reason": "demo: entered from the paper register"})
    session.flush()
    return ["batteries: 2 battery recipients; recycler1@ scrapped two NEVs: one with its battery (handed to "
            "a listed cascade-use firm), one without (incomplete, its reporting deadline already missed)"]
