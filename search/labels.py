"""Words indexed with a listing's coded attributes, so text finds what filters name.

A listing of kind ``refrigerator`` is found by "冰箱" or "fridge" even when its title says only
"海尔 BCD-470"; a ``bev`` car is found by "新能源" and "纯电". Synonyms (synonyms.txt) then widen
the query side; these labels are the document side.
"""
from __future__ import annotations

from functools import lru_cache

from services import regions
from services.remanufacturing import grading

KIND_LABELS = {
    "refrigerator": "冰箱 refrigerator", "washing_machine": "洗衣机 washing machine",
    "television": "电视 television", "air_conditioner": "空调 air conditioner",
    "computer": "电脑 computer", "water_heater": "热水器 water heater", "cooktop": "燃气灶 灶具 cooktop",
    "range_hood": "油烟机 range hood", "microwave_oven": "微波炉 microwave",
    "water_purifier": "净水器 water purifier", "dishwasher": "洗碗机 dishwasher",
    "rice_cooker": "电饭煲 rice cooker", "mobile_phone": "手机 mobile phone", "tablet": "平板 tablet",
    "laptop": "笔记本 laptop", "desktop": "台式机 desktop", "smartwatch": "智能手表 smartwatch",
    "smart_glasses": "智能眼镜 smart glasses", "camera": "相机 camera",
    "passenger_car": "汽车 car",
}
POWERTRAIN_LABELS = {
    "gasoline": "燃油车 汽油", "diesel": "柴油", "hybrid": "混动 hybrid",
    "bev": "新能源 纯电 电动汽车 bev", "phev": "新能源 插混 phev", "erev": "新能源 增程 erev",
    "fcev": "新能源 氢燃料 fcev",
}
EMISSION_LABELS = {
    "china_1": "国一", "china_2": "国二", "china_3": "国三", "china_4": "国四", "china_5": "国五",
    "china_6a": "国六 国六a", "china_6b": "国六 国六b",
}
ENERGY_LABELS = {"1": "一级能效", "2": "二级能效", "3": "三级能效", "4": "四级能效", "5": "五级能效"}


def attribute_words(kind: str | None, powertrain: str | None, emission: str | None,
                    energy_grade: str | None) -> str:
    """The label words of a listing's coded attributes, space separated."""
    words = [KIND_LABELS.get(kind or ""), POWERTRAIN_LABELS.get(powertrain or ""),
             EMISSION_LABELS.get(emission or ""), ENERGY_LABELS.get(energy_grade or "")]
    return " ".join(w for w in words if w)


# --- facet labels (zh, en): the search response names every facet value for people ----------
CATEGORY_NAMES = {"vehicle": ("车辆", "Vehicles"), "appliance": ("家电", "Appliances"),
                  "electronics": ("数码", "Electronics"), "other": ("其他", "Other")}
KIND_NAMES = {
    "refrigerator": ("冰箱", "Refrigerator"), "washing_machine": ("洗衣机", "Washing machine"),
    "television": ("电视", "Television"), "air_conditioner": ("空调", "Air conditioner"),
    "computer": ("电脑", "Computer"), "water_heater": ("热水器", "Water heater"),
    "cooktop": ("燃气灶", "Cooktop"), "range_hood": ("油烟机", "Range hood"),
    "microwave_oven": ("微波炉", "Microwave oven"), "water_purifier": ("净水器", "Water purifier"),
    "dishwasher": ("洗碗机", "Dishwasher"), "rice_cooker": ("电饭煲", "Rice cooker"),
    "mobile_phone": ("手机", "Mobile phone"), "tablet": ("平板电脑", "Tablet"), "laptop": ("笔记本电脑", "Laptop"),
    "desktop": ("台式电脑", "Desktop"), "smartwatch": ("智能手表", "Smartwatch"),
    "smart_glasses": ("智能眼镜", "Smart glasses"), "camera": ("相机", "Camera"),
    "passenger_car": ("乘用车", "Passenger car"), "other": ("其他", "Other"),
}
CONDITION_NAMES = {"new": ("全新", "New"), "like_new": ("几乎全新", "Like new"), "good": ("良好", "Good"),
                   "fair": ("一般", "Fair"), "for_parts": ("拆件/故障", "For parts"),
                   "remanufactured": ("官方翻新", "Remanufactured")}
_GRADE_ZH = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五"}


def _yuan(fen: str) -> str:
    return f"{int(fen) // 100:,}"


def _price_label(key: str) -> tuple[str, str] | None:
    low, _, high = key.partition("-")
    if not high:
        return None
    if low == "*":
        return f"{_yuan(high)}元以下", f"Under ¥{_yuan(high)}"
    if high == "*":
        return f"{_yuan(low)}元以上", f"¥{_yuan(low)} and up"
    return f"{_yuan(low)}–{_yuan(high)}元", f"¥{_yuan(low)}–¥{_yuan(high)}"


def _region_label(code: str) -> tuple[str, str] | None:
    full = code + "0" * (6 - len(code)) if len(code) in (2, 4) else code
    region = regions.get(full)
    return (region.name, region.name) if region else None  # region names exist in Chinese only


@lru_cache(maxsize=4096)  # a few hundred values in all; every search response names them
def facet_label(facet: str, value: str) -> dict[str, str] | None:
    """``{"zh": ..., "en": ...}`` for one facet value, or None when it has no name (do not mutate)."""
    if facet == "energy_grade":
        pair = (f"{_GRADE_ZH[value]}级能效", f"Energy grade {value}") if value in _GRADE_ZH else None
    elif facet == "price":
        pair = _price_label(value)
    elif facet == "region":
        pair = _region_label(value)
    else:
        pair = {"category": CATEGORY_NAMES, "kind": KIND_NAMES, "condition": CONDITION_NAMES,
                "legal_class": grading.LEGAL_CLASSES, "cosmetic_grade": grading.GRADES}.get(facet, {}).get(value)
    return {"zh": pair[0], "en": pair[1]} if pair else None
