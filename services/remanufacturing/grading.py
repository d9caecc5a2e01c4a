"""Legal class and cosmetic grade of goods for resale. Pure.

Legal class (循环经济促进法 Art. 40: remanufactured and refurbished goods must be labelled as such in
a prominent place): new, remanufactured (再制造), refurbished (翻新) or used (二手).

Cosmetic grade of electronics, always with the inspection facts behind it. The grades and their
thresholds follow Back Market's published cosmetic scale (Premium / Excellent / Good / Fair: every
grade fully functional, battery at least 80 % of design capacity; screens unscratched except Fair;
Premium only with genuine parts and battery). T/TAF 173—2023 (循环回收移动通信终端分级评估技术规范)
is the Chinese scale for recycled phones, but its grade definitions could not be read; `TAF_173`
below is therefore empty and a grade carries `taf_173: null` until the standard's text is mapped.
The 成色 words (99新 …) are the common market shorthand [secondary]. Sources:
../shared/domain/remanufacturing.md §4.
"""
from __future__ import annotations

LEGAL_CLASSES: dict[str, tuple[str, str]] = {
    "new": ("全新", "New"),
    "remanufactured": ("再制造产品", "Remanufactured"),
    "refurbished": ("翻新产品", "Refurbished"),
    "used": ("二手", "Used"),
}
# Best first. (zh, en) words shown beside the code.
GRADES: dict[str, tuple[str, str]] = {
    "premium": ("完美 (99新，原厂配件)", "Premium (flawless, genuine parts)"),
    "excellent": ("优秀 (95新)", "Excellent (micro-scratches invisible at 20 cm)"),
    "good": ("良好 (9成新)", "Good (light scratches invisible at 50 cm)"),
    "fair": ("一般 (8成新)", "Fair (visible scratches or dents)"),
}
TAF_173: dict[str, str] = {}  # grade -> T/TAF 173—2023 level, once the standard's text is at hand

SCREEN = ("flawless", "micro_scratches", "light_scratches", "cracked")
BODY = ("flawless", "micro_scratches", "light_scratches", "visible_wear", "dented")
FUNCTIONS = ("calls", "display", "touch", "cameras", "speakers", "microphone", "charging", "wifi",
             "bluetooth", "biometrics", "buttons", "sensors")
MIN_BATTERY_PCT = 80
# The worst screen and body each grade admits (index into SCREEN / BODY).
_WORST = {"premium": (0, 0), "excellent": (0, 1), "good": (0, 2), "fair": (2, 4)}


def legal_class_for(condition: str | None) -> str:
    """The legal class a listing has when the seller names none: from its condition."""
    return {"new": "new", "remanufactured": "remanufactured"}.get(condition or "", "used")


def grade_errors(grade: str | None, facts: dict | None, *, electronics: bool, prefix: str = "") -> dict:
    """{field: [message]} when a grade lacks the inspection facts behind it or the facts do not
    support it, or when goods other than electronics carry one."""
    if grade is None:
        return {}
    if grade not in GRADES:
        return {f"{prefix}cosmetic_grade": [f"One of: {', '.join(GRADES)}."]}
    if not electronics:
        return {f"{prefix}cosmetic_grade": ["Cosmetic grades apply to electronics only."]}
    if not facts:
        return {f"{prefix}inspection": ["A grade needs the inspection facts behind it: battery_health_pct, "
                                        "screen, body and functions_checked."]}
    errors: dict[str, list[str]] = {}
    p = f"{prefix}inspection."
    battery, screen, body = facts.get("battery_health_pct"), facts.get("screen"), facts.get("body")
    checked = facts.get("functions_checked")
    if not isinstance(battery, int) or isinstance(battery, bool) or not 0 <= battery <= 100:
        errors[p + "battery_health_pct"] = ["Battery health in percent (0-100) is required."]
    elif battery < MIN_BATTERY_PCT:
        errors[p + "battery_health_pct"] = [f"A graded device keeps at least {MIN_BATTERY_PCT}% battery health."]
    if screen not in SCREEN:
        errors[p + "screen"] = [f"One of: {', '.join(SCREEN)}."]
    if body not in BODY:
        errors[p + "body"] = [f"One of: {', '.join(BODY)}."]
    if not isinstance(checked, list) or not checked or not set(checked) <= set(FUNCTIONS):
        errors[p + "functions_checked"] = [f"The functions checked, from: {', '.join(FUNCTIONS)}."]
    elif facts.get("functions_ok") is not True:
        errors[p + "functions_ok"] = ["Every grade is fully functional: a device with a faulty function is "
                                      "sold ungraded (for parts)."]
    if errors:
        return errors
    worst_screen, worst_body = _WORST[grade]
    if SCREEN.index(screen) > worst_screen:
        errors[p + "screen"] = [f"A {grade} device's screen is at worst {SCREEN[worst_screen]}."]
    if BODY.index(body) > worst_body:
        errors[p + "body"] = [f"A {grade} device's body is at worst {BODY[worst_body]}."]
    if grade == "premium" and facts.get("genuine_parts") is not True:
        errors[p + "genuine_parts"] = ["Premium needs genuine manufacturer parts and battery."]
    return errors


def words(table: dict[str, tuple[str, str]], code: str | None) -> dict | None:
    """{"zh": …, "en": …} for a code, or None."""
    pair = table.get(code) if code else None
    return {"zh": pair[0], "en": pair[1]} if pair else None
