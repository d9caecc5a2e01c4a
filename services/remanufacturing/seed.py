"""Demo data for issue 22: catalogue entries (2015 以旧换再 pilot enterprises; the credit codes are
made up with a valid check character)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services import identifiers
from services.accounts.models import User
from services.remanufacturing import catalogue
from services.remanufacturing.models import CatalogueEntry

PILOT = "以旧换再推广试点企业及产品名单(2015)"
ENTRIES = [
    ("潍柴动力(潍坊)再制造有限公司", "汽车零部件", "再制造柴油发动机", "WP10.336E53-R", 24),
    ("陕西法士特汽车传动集团有限责任公司", "汽车零部件", "再制造变速器", "12JSD200T-R", 12),
    ("济南复强动力有限公司", "汽车零部件", "再制造发动机", "CA6DL2-R", 18),
]


def _uscc(n: int) -> str:
    body = f"91370700MA{n:07d}"
    return body + identifiers.uscc_check_char(body)


def seed(session: Session, people: dict[str, list[User]]) -> tuple[list[str], list[CatalogueEntry]]:
    operator, recycler = people["operator"][0], people["recycler"][0]
    entries = [catalogue.add_entry(session, operator, {
        "enterprise_name": name, "credit_code": _uscc(i + 1), "category": cat, "product_name": product,
        "model": model, "basis": "pilot_2015", "announcement_no": PILOT, "warranty_months": months,
        "quality_not_below_new": True, "lawful_core_sourcing": True}) for i, (name, cat, product, model, months)
        in enumerate(ENTRIES)]
    session.flush()
    return ([f"remanufacturing: {len(entries)} catalogue entries (以旧换再 pilot)"], entries)
