"""Words people read beside the codes the API returns: one table per coded field, zh-CN and en.

The API answers codes (`status: "published"`); a client shows `labels.status` ("已上架" or
"On sale") in the language it asked for with Accept-Language. Tables are keyed by the shared
vocabulary (services/listings/validation.py for kinds). Lookups on the hot listing reads are one
dictionary access per field: `TABLES[lang][table].get(code)`.
"""
from __future__ import annotations

LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"

_PAIRS: dict[str, dict[str, tuple[str, str]]] = {
    "listing.category": {
        "vehicle": ("汽车", "Vehicle"), "appliance": ("家电", "Home appliance"),
        "electronics": ("数码电子", "Electronics"), "other": ("其他", "Other"),
    },
    "listing.condition": {
        "new": ("全新", "New"), "like_new": ("几乎全新", "Like new"), "good": ("良好", "Good"),
        "fair": ("一般", "Fair"), "for_parts": ("仅拆件", "For parts"),
        "remanufactured": ("再制造", "Remanufactured"),
    },
    "listing.status": {
        "draft": ("草稿", "Draft"), "pending_review": ("审核中", "In review"),
        "published": ("在售", "On sale"), "reserved": ("已预订", "Reserved"), "sold": ("已售出", "Sold"),
        "withdrawn": ("已下架", "Withdrawn"), "rejected": ("未通过审核", "Rejected"),
    },
    "kind": {
        "passenger_car": ("乘用车", "Passenger car"),
        "refrigerator": ("冰箱", "Refrigerator"), "washing_machine": ("洗衣机", "Washing machine"),
        "television": ("电视", "Television"), "air_conditioner": ("空调", "Air conditioner"),
        "computer": ("电脑", "Computer"), "water_heater": ("热水器", "Water heater"),
        "cooktop": ("燃气灶", "Cooktop"), "range_hood": ("油烟机", "Range hood"),
        "microwave_oven": ("微波炉", "Microwave oven"), "water_purifier": ("净水器", "Water purifier"),
        "dishwasher": ("洗碗机", "Dishwasher"), "rice_cooker": ("电饭煲", "Rice cooker"),
        "mobile_phone": ("手机", "Mobile phone"), "tablet": ("平板电脑", "Tablet"),
        "laptop": ("笔记本电脑", "Laptop"), "desktop": ("台式电脑", "Desktop computer"),
        "smartwatch": ("智能手表", "Smartwatch"), "smart_glasses": ("智能眼镜", "Smart glasses"),
        "camera": ("相机", "Camera"), "storage_drive": ("硬盘", "Storage drive"),
        "game_console": ("游戏机", "Game console"), "other": ("其他", "Other"),
        "car_engine": ("汽车发动机", "Car engine"), "car_gearbox": ("汽车变速箱", "Car gearbox"),
    },
    "energy_grade": {
        "1": ("一级能效", "Energy grade 1 (best)"), "2": ("二级能效", "Energy grade 2"),
        "3": ("三级能效", "Energy grade 3"), "4": ("四级能效", "Energy grade 4"),
        "5": ("五级能效", "Energy grade 5"),
    },
    "order.status": {
        "created": ("已下单", "Placed"), "payment_pending": ("待付款", "Awaiting payment"),
        "paid_held": ("已付款（平台托管）", "Paid, held by the platform"),
        "handed_over": ("已交付，待确认", "Handed over, awaiting acceptance"),
        "accepted": ("已确认收货", "Accepted"), "completed": ("已完成", "Completed"),
        "cancelled": ("已取消", "Cancelled"), "refunded": ("已退款", "Refunded"),
        "disputed": ("纠纷处理中", "In dispute"),
    },
    "pickup.status": {
        "requested": ("已预约", "Requested"), "confirmed": ("已确认", "Confirmed"),
        "assigned": ("已派单", "Collector assigned"), "en_route": ("上门途中", "On the way"),
        "arrived": ("已到达", "Arrived"), "collected": ("已取件", "Collected"),
        "delivered_to_facility": ("已送达回收站点", "Delivered to the facility"),
        "processed": ("已处理", "Processed"), "cancelled": ("已取消", "Cancelled"),
        "failed": ("上门未成功", "Failed"),
    },
}

# Search facets that name coded values, and the table that labels each.
FACET_TABLES = {"category": "listing.category", "kind": "kind", "condition": "listing.condition",
                "energy_grade": "energy_grade"}

# {language: {table: {code: label}}}, built once so a lookup is a plain dictionary access.
TABLES: dict[str, dict[str, dict[str, str]]] = {
    lang: {table: {code: pair[i] for code, pair in rows.items()} for table, rows in _PAIRS.items()}
    for i, lang in enumerate(LANGUAGES)
}


def label(table: str, code: str | None, lang: str = DEFAULT) -> str | None:
    """The label of `code` in `table` in `lang` (zh-CN for any language not offered); None for a
    code the table does not know (a free-text kind of an `other` listing)."""
    return TABLES.get(lang, TABLES[DEFAULT])[table].get(code) if code is not None else None


def explanation_key(lang: str) -> str:
    """Which side of a {zh, en} explanation pair a language reads."""
    return "en" if lang == "en" else "zh"
