"""Every malformed programme field is reported by path, file and message (the lint contract)."""
import copy
import tomllib
from pathlib import Path

import pytest

from subsidies import text
from subsidies.loader import parse_programme

POLICIES = Path(__file__).resolve().parents[3] / "subsidies" / "policies"


def _base(name="cn-2024-appliance.toml") -> dict:
    return tomllib.loads((POLICIES / name).read_text(encoding="utf-8"))


def _set(path, value):
    def mutate(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        if value is KeyError:
            del cur[path[-1]]
        else:
            cur[path[-1]] = value
    return mutate


CASES = [
    (_set(("id",), 7), "id"),
    (_set(("version",), "one"), "version"),
    (_set(("level",), True), "level"),
    (_set(("jurisdiction",), 14), "jurisdiction"),
    (_set(("kinds",), ["toaster"]), "kinds"),
    (_set(("categories",), "appliance"), "categories"),
    (_set(("window", "start"), "2024-07-25"), "window.start"),
    (_set(("window", "end"), KeyError), "window.end"),
    (_set(("surprise",), 1), "surprise"),
    (_set(("conditions", 0, "op"), "like"), "conditions[0].op"),
    (_set(("conditions", 0, "field"), "purchase.colour"), "conditions[0].field"),
    (_set(("conditions", 0, "value"), "two"), "conditions[0].value"),
    (_set(("conditions", 0, "code"), KeyError), "conditions[0].code"),
    (_set(("rules", 0, "id"), KeyError), "rules[0].id"),
    (_set(("rules", 0, "amount", "type"), "lottery"), "rules[0].amount.type"),
    (_set(("rules", 0, "amount", "rate"), "lots"), "rules[0].amount.rate"),
    (_set(("rules", 0, "amount", "cap_fen"), -5), "rules[0].amount.cap_fen"),
    (_set(("rules", 0, "when", 0, "op"), "approximately"), "rules[0].when[0].op"),
    (_set(("rules", 1, "id"), "grade-1"), "rules"),
    (_set(("rules",), []), "rules"),
    (_set(("limits", 0, "max"), "one"), "limits[0].max"),
    (_set(("limits", 0, "colour"), "red"), "limits[0].colour"),
    (_set(("sources", 0, "url"), KeyError), "sources[0].url"),
    (_set(("stacking",), {"group": 5}), "stacking.group"),
    (_set(("stacking",), {"flavour": "x"}), "stacking.flavour"),
]


@pytest.mark.parametrize("mutate,field", CASES, ids=[c[1] for c in CASES])
def test_malformed_field_is_named(mutate, field):
    data = copy.deepcopy(_base())
    mutate(data)
    programme, issues = parse_programme(data, "bad.toml")
    assert programme is None
    assert any(i.field == field or i.field.startswith(field + ".") for i in issues), [(i.field, i.message) for i in issues]
    assert all(i.file == "bad.toml" and i.message for i in issues)


def test_shipped_file_parses_cleanly():
    programme, issues = parse_programme(_base(), "ok.toml")
    assert issues == [] and programme is not None


@pytest.mark.parametrize("field,v,zh,en", [
    ("purchase.price_fen", 300050, "3,000.50元", "CNY 3,000.50"),
    ("purchase.price_fen", None, "无", "none"),
    ("purchase.kind", ["refrigerator", "television"], None, None),
    ("trade_in.disposal", "scrap", "报废", "scrapping"),
    ("trade_in.powertrain", "bev", "纯电动", "battery electric"),
    ("trade_in.emission_standard", "china_6b", "国六B", "China 6B"),
    ("trade_in.handed_in", True, "是", "yes"),
])
def test_explanation_values_are_formatted_per_language(field, v, zh, en):
    out_zh, out_en = text.value(field, v, "zh"), text.value(field, v, "en")
    if zh is not None:
        assert out_zh == zh and out_en == en
    else:
        assert "、" in out_zh and ", " in out_en
    assert text.between("purchase.price_fen", [100, 200], "zh") == "1元至2元"
    assert text.field_name("purchase.price_fen", "en") == "final price"
    assert text.Params()["missing"] == ""
