"""Words indexed with a listing's coded attributes, so text finds what filters name.

A listing of kind ``refrigerator`` is found by "冰箱" or "fridge" even when its title says only
"海尔 BCD-470"; a ``bev`` car is found by "新能源" and "纯电". Synonyms (synonyms.txt) then widen
the query side; these labels are the document side.
"""
from __future__ import annotations

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
