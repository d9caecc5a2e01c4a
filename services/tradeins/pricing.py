"""The trade-in price model, as a pure function.

value = base price of the model x condition multipliers x age depreciation, rounded down to the
yuan, + campaign bonus. Every step is a reason line in Chinese and English, so a consumer can see
why the quote is what it is and an inspector's counter-offer can be read line against line.
The multipliers are data here (reviewed like code); the base prices live in the price table.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.tradeins.questionnaire import QUESTIONNAIRES

D = Decimal
FOUR = D("0.0001")

# question -> answer -> multiplier. Answers not listed here (or questions, such as the lock) do
# not move the price.
CHOICE_MULTIPLIERS: dict[str, dict[str, dict[str, Decimal]]] = {
    "electronics": {
        "screen": {"flawless": D("1"), "minor_scratches": D("0.92"), "heavy_scratches": D("0.80"),
                   "cracked": D("0.55")},
        "body": {"flawless": D("1"), "light_wear": D("0.95"), "dents": D("0.85"), "broken": D("0.65")},
    },
    "appliance": {
        "works": {"fully": D("1"), "partially": D("0.50"), "not_working": D("0.15")},
        "damage": {"none": D("1"), "minor": D("0.90"), "major": D("0.60")},
    },
    "vehicle": {
        "accident_history": {"none": D("1"), "minor": D("0.92"), "major": D("0.75"), "flood_or_fire": D("0.40")},
        # Older standards cannot be registered or driven in many cities any more.
        "emission_standard": {"china_6b": D("1"), "china_6a": D("1"), "china_5": D("0.90"), "china_4": D("0.75"),
                              "china_3": D("0.50"), "china_2": D("0.40"), "china_1": D("0.40")},
    },
}
POWERS_OFF = D("0.15")  # a phone that does not start is worth its parts
# (lower bound inclusive, multiplier), first match wins
BATTERY_BANDS = ((90, D("1")), (80, D("0.95")), (70, D("0.88")), (0, D("0.80")))
MILEAGE_BANDS = ((200_000, D("0.60")), (150_000, D("0.70")), (100_000, D("0.80")), (60_000, D("0.88")),
                 (30_000, D("0.95")), (0, D("1")))
# Yearly depreciation (compounded monthly) and the floor below which age takes nothing more.
DEPRECIATION: dict[str, tuple[Decimal, Decimal]] = {
    "electronics": (D("0.30"), D("0.10")),
    "appliance": (D("0.15"), D("0.05")),
    "vehicle": (D("0.15"), D("0.10")),
}


@dataclass(frozen=True)
class Line:
    code: str
    zh: str
    en: str
    factor: str | None = None       # a multiplier, as a decimal string
    amount_fen: int | None = None   # an amount added (base, bonus)
    running_fen: int = 0            # the value after this line

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Valuation:
    amount_fen: int
    lines: tuple[Line, ...]

    def as_dict(self) -> dict:
        return {"amount_fen": self.amount_fen, "lines": [ln.as_dict() for ln in self.lines]}


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def _fen(value: Decimal) -> int:
    return int(value.quantize(D("1"), rounding=ROUND_HALF_UP))


def _band(bands, value: int) -> Decimal:
    return next(m for lower, m in bands if value >= lower)


def _label(category: str, question: str, answer) -> tuple[str, str]:
    q = next(q for q in QUESTIONNAIRES[category] if q.name == question)
    if q.choices:
        zh, en = q.choices[answer]
        return f"{q.zh}：{zh}", f"{q.en}: {en}"
    return f"{q.zh}：{answer}", f"{q.en}: {answer}"


def condition_factors(category: str, answers: dict) -> list[tuple[str, Decimal, str, str]]:
    """(code, multiplier, zh, en) for each answer that moves the price, in questionnaire order."""
    out = []
    if category == "electronics" and answers.get("powers_on") is False:
        out.append(("powers_on", POWERS_OFF, "无法开机，按零件回收", "Does not power on: valued for parts"))
    for q in QUESTIONNAIRES[category]:
        a = answers.get(q.name)
        if q.name in CHOICE_MULTIPLIERS[category]:
            m = CHOICE_MULTIPLIERS[category][q.name][a]
        elif q.name == "battery_health_pct" and answers.get("powers_on") is not False:
            m = _band(BATTERY_BANDS, a)
        elif q.name == "mileage_km":
            m = _band(MILEAGE_BANDS, a)
        else:
            continue
        zh, en = _label(category, q.name, a)
        out.append((q.name, m, zh, en))
    return out


def age_factor(category: str, age_months: int, yearly: Decimal | None = None) -> Decimal:
    rate, floor = DEPRECIATION[category]
    rate = yearly if yearly is not None else rate
    factor = (D(1) - rate) ** (D(age_months) / D(12)) if age_months else D(1)
    return max(floor, factor).quantize(FOUR, rounding=ROUND_HALF_UP)


def value(*, category: str, label: str, base_fen: int, answers: dict, age_months: int,
          bonus_fen: int = 0, bonus_label: str | None = None, yearly_depreciation: Decimal | None = None
          ) -> Valuation:
    """Price an item from its base price, the questionnaire answers and its age, with reasons.

    Answers must have passed `questionnaire.validate`. The result never goes below zero.
    """
    lines = [Line("base", f"基础价（{label}）：{yuan(base_fen)}", f"Base price ({label}): {yuan(base_fen)}",
                  amount_fen=base_fen, running_fen=base_fen)]
    exact = D(base_fen)
    for code, m, zh, en in condition_factors(category, answers):
        exact *= m
        lines.append(Line(code, f"{zh} ×{m}", f"{en} ×{m}", factor=str(m), running_fen=_fen(exact)))
    af = age_factor(category, age_months, yearly_depreciation)
    exact *= af
    lines.append(Line("age", f"使用 {age_months} 个月，折旧 ×{af}", f"{age_months} months old: depreciation ×{af}",
                      factor=str(af), running_fen=_fen(exact)))
    # Whole yuan, rounded down: quotes read as round numbers and never overpay by a fraction.
    amount = int((exact / 100).quantize(D("1"), rounding=ROUND_DOWN)) * 100
    lines.append(Line("rounding", f"取整到元：{yuan(amount)}", f"Rounded down to the yuan: {yuan(amount)}",
                      running_fen=amount))
    if bonus_fen:
        amount += bonus_fen
        name = bonus_label or "以旧换新活动"
        lines.append(Line("campaign_bonus", f"{name}加价 +{yuan(bonus_fen)}", f"Campaign bonus ({name}) +{yuan(bonus_fen)}",
                          amount_fen=bonus_fen, running_fen=amount))
    amount = max(0, amount)
    lines.append(Line("total", f"回收价：{yuan(amount)}", f"Trade-in value: {yuan(amount)}", running_fen=amount))
    return Valuation(amount, tuple(lines))
