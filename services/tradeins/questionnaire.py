"""What a consumer declares about an old item, per category, and the checks on each answer.

The same questions are the inspector's checklist, so a declaration and an inspection can be
compared answer by answer and priced by the same model. Pure: returns field errors, never raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from services.listings.interface import EMISSION_STANDARDS

CATEGORIES = ("electronics", "appliance", "vehicle")


@dataclass(frozen=True)
class Question:
    name: str
    type: str                      # "bool" | "int" | "choice"
    zh: str
    en: str
    choices: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (zh, en)
    minimum: int | None = None
    maximum: int | None = None
    # A declaration must give this value (a locked phone cannot be traded in); an inspection
    # may find otherwise, which is a finding, not an input error.
    required_value: bool | None = None
    required_msg: str = ""

    def as_dict(self) -> dict:
        d = {"name": self.name, "type": self.type, "label_zh": self.zh, "label_en": self.en}
        if self.choices:
            d["choices"] = [{"value": k, "label_zh": zh, "label_en": en} for k, (zh, en) in self.choices.items()]
        if self.minimum is not None:
            d["minimum"] = self.minimum
        if self.maximum is not None:
            d["maximum"] = self.maximum
        if self.required_value is not None:
            d["must_be"] = self.required_value
        return d


SCREEN = {"flawless": ("完美无划痕", "flawless"), "minor_scratches": ("轻微划痕", "minor scratches"),
          "heavy_scratches": ("明显划痕", "heavy scratches"), "cracked": ("碎裂", "cracked")}
BODY = {"flawless": ("完美", "flawless"), "light_wear": ("轻微磨损", "light wear"),
        "dents": ("磕碰凹陷", "dents"), "broken": ("破损/弯曲", "broken or bent")}
WORKS = {"fully": ("功能完好", "works fully"), "partially": ("部分功能故障", "partly works"),
         "not_working": ("无法使用", "does not work")}
DAMAGE = {"none": ("无损伤", "no damage"), "minor": ("轻微外观损伤", "minor cosmetic damage"),
          "major": ("严重损伤", "major damage")}
ACCIDENTS = {"none": ("无事故", "no accidents"), "minor": ("轻微事故（未伤及结构）", "minor, no structural damage"),
             "major": ("重大事故（结构件受损）", "major, structural damage"),
             "flood_or_fire": ("泡水或火烧", "flood or fire damage")}
_NUMERALS = MappingProxyType(dict(zip("123456", "一二三四五六")))
# "china_6b" -> ("国六b", "China 6b")
EMISSIONS = {s: ("国" + _NUMERALS[s[6]] + s[7:], "China " + s[6:]) for s in EMISSION_STANDARDS}

QUESTIONNAIRES: dict[str, tuple[Question, ...]] = {
    "electronics": (
        Question("powers_on", "bool", "能否正常开机", "Powers on"),
        Question("screen", "choice", "屏幕状况", "Screen", SCREEN),
        Question("body", "choice", "外壳状况", "Body", BODY),
        Question("battery_health_pct", "int", "电池健康度（%）", "Battery health (%)", minimum=0, maximum=100),
        Question("activation_lock_off", "bool", "已关闭激活锁 / FRP 账户锁",
                 "Activation Lock / FRP (account lock) is off", required_value=True,
                 required_msg="Turn off Activation Lock (Find My) or FRP before trading in: a locked device cannot be paid for."),
    ),
    "appliance": (
        Question("works", "choice", "功能状况", "Works", WORKS),
        Question("damage", "choice", "损伤情况", "Damage", DAMAGE),
    ),
    "vehicle": (
        Question("mileage_km", "int", "表显里程（公里）", "Mileage (km)", minimum=0, maximum=3_000_000),
        Question("accident_history", "choice", "事故历史", "Accident history", ACCIDENTS),
        Question("emission_standard", "choice", "排放标准", "Emission standard", EMISSIONS),
    ),
}


def questions(category: str) -> tuple[Question, ...]:
    return QUESTIONNAIRES[category]


def _type_error(q: Question, value) -> str | None:
    # JSON types are checked strictly: "yes" is not a boolean and true is not a number.
    if q.type == "bool":
        return None if isinstance(value, bool) else "Not a valid boolean."
    if q.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return "Not a valid integer."
        if q.minimum is not None and value < q.minimum or q.maximum is not None and value > q.maximum:
            return f"Must be between {q.minimum} and {q.maximum}."
        return None
    if not isinstance(value, str) or value not in q.choices:
        return f"Must be one of: {', '.join(q.choices)}."
    return None


def validate(category: str, answers, *, declaring: bool, prefix: str = "answers") -> dict[str, list[str]]:
    """Every problem with `answers` for `category`, as {"answers.<question>": [messages]}."""
    if category not in QUESTIONNAIRES:
        return {"category": [f"Trade-ins take one of: {', '.join(CATEGORIES)}."]}
    if not isinstance(answers, dict):
        return {prefix: ["Not a valid mapping."]}
    errors: dict[str, list[str]] = {}
    qs = QUESTIONNAIRES[category]
    names = {q.name for q in qs}
    for key in answers:
        if key not in names:
            errors[f"{prefix}.{key}"] = ["Unknown question for this category."]
    for q in qs:
        if q.name not in answers or answers[q.name] is None:
            errors[f"{prefix}.{q.name}"] = ["Missing data for required field."]
            continue
        msg = _type_error(q, answers[q.name])
        if msg is None and declaring and q.required_value is not None and answers[q.name] != q.required_value:
            msg = q.required_msg
        if msg:
            errors[f"{prefix}.{q.name}"] = [msg]
    return errors


def differences(category: str, declared: dict, found: dict) -> list[dict]:
    """Answers the inspection found different from the declaration, in questionnaire order."""
    return [{"question": q.name, "declared": declared.get(q.name), "found": found.get(q.name)}
            for q in QUESTIONNAIRES[category] if declared.get(q.name) != found.get(q.name)]
