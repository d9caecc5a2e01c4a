"""Programme files: the shipped ones are valid; a broken one is rejected naming file and field."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from subsidies import ProgrammeError, load_programmes
from subsidies.lint import lint, main
from subsidies.loader import POLICY_DIR

GOOD = (POLICY_DIR / "cn-2025-digital.toml").read_text(encoding="utf-8")
SHIPPED = {"CN-2015-remanufacture-exchange", "CN-2024-appliance", "CN-2025-appliance", "CN-2026-appliance", "CN-2025-digital",
           "CN-2026-digital", "CN-2024-vehicle-scrappage", "CN-2025-vehicle-scrappage",
           "CN-2025-vehicle-replacement", "CN-2026-vehicle-scrappage",
           "CN-2026-vehicle-replacement", "SH-2025-vehicle-replacement",
           "CQ-2024-vehicle-replacement", "SX-2026-appliance-digital",
           "SZ-2026-vehicle-replacement"}


def test_shipped_programmes_are_valid_and_complete():
    assert lint() == []
    programmes = load_programmes()
    assert {p.id for p in programmes} == SHIPPED
    for p in programmes:
        # A notice read only in reprints may lack a stable address but then says where it was read.
        assert p.sources and all((s.url or "").startswith("http") or s.note for s in p.sources)


def write(tmp_path: Path, text: str, name: str = "xx-2025-test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,field,message", [
    ('rate = "0.15"', "rate = 0.15", "rules[0].amount.rate", "decimal string"),
    ('rate = "0.15"', 'rate = "1.5"', "rules[0].amount.rate", "decimal string"),
    ("cap_fen = 50000", "cap_fen = -1", "rules[0].amount.cap_fen", "positive"),
    ('code = "PRICE_ABOVE_CEILING"', 'code = "TOO_PRICEY"', "conditions[0].code", "unknown reason code"),
    ('field = "purchase.price_fen"', 'field = "purchase.colour"', "conditions[0].field", "unknown field"),
    ('op = "le"', 'op = "like"', "conditions[0].op", "unknown op"),
    ("value = 600000", 'value = "6000"', "conditions[0].value", "integer"),
    ('kinds = ["mobile_phone", "tablet", "smartwatch"]', 'kinds = ["mobile_phone", "pager"]', "kinds", "pager"),
    ("end = 2025-12-31", "end = 2024-12-31", "window.end", "before start"),
    ('jurisdiction = ""', 'jurisdiction = "31"', "jurisdiction[0]", "national"),
    ("[[limits]]\nmax = 1", "[[limits]]\nmax = 0", "limits[0].max", "at least 1"),
    ('id = "CN-2025-digital"', 'id = "CN-2025-digital"\nbudget = 5', "budget", "unknown field"),
])
def test_invalid_file_names_file_and_field(tmp_path, old, new, field, message):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    issues = lint([path])
    assert any(i.file == path.name and i.field == field and message in i.message for i in issues), issues


def test_syntax_error_is_reported(tmp_path):
    path = write(tmp_path, "id = [unclosed")
    [issue] = lint([path])
    assert issue.file == path.name and issue.field == "(syntax)"


def test_a_city_file_is_checked_against_the_national_framework(tmp_path):
    city = (POLICY_DIR / "sh-2025-vehicle-replacement.toml").read_text(encoding="utf-8")
    city = city.replace('"SH-2025-vehicle-replacement"', '"GZ-2025-vehicle-replacement"')
    city = city.replace('jurisdiction = "31"', 'jurisdiction = "4401"')
    assert lint([write(tmp_path, city, "gz.toml")]) == []
    too_much = city.replace("amount_fen = 1500000", "amount_fen = 1800000")
    [issue] = lint([write(tmp_path, too_much, "gz.toml")])
    assert (issue.file, issue.field) == ("gz.toml", "rules[0].amount")
    assert "national cap" in issue.message
    dangling = city.replace('implements = "CN-2025-vehicle-replacement"', 'implements = "CN-2099-x"')
    assert any(i.field == "implements" for i in lint([write(tmp_path, dangling, "gz.toml")]))


def test_adding_a_city_is_a_data_file(tmp_path):
    city = (POLICY_DIR / "sh-2025-vehicle-replacement.toml").read_text(encoding="utf-8")
    city = city.replace('"SH-2025-vehicle-replacement"', '"GZ-2025-vehicle-replacement"')
    city = city.replace('jurisdiction = "31"', 'jurisdiction = "4401"').replace("1500000", "1000000")
    for path in POLICY_DIR.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write(tmp_path, city, "gz-2025-vehicle-replacement.toml")
    from subsidies import Catalogue, quote
    from tests.factories.subsidy_requests import car
    body = car("2025-03-01", 150000, region="440106", disposal="transfer", transfer_date="2025-02-01",
               registered_in="440106")
    result = quote(body, Catalogue(load_programmes(tmp_path)))
    assert [(line.programme, line.amount_fen) for line in result.lines] == [
        ("GZ-2025-vehicle-replacement", 1000000)]


def test_load_programmes_raises_with_every_issue(tmp_path):
    write(tmp_path, GOOD.replace('rate = "0.15"', "rate = 0.15").replace("value = 600000", "value = true"))
    with pytest.raises(ProgrammeError) as info:
        load_programmes(tmp_path)
    assert {i.field for i in info.value.issues} >= {"rules[0].amount.rate", "conditions[0].value"}


def test_cli_exit_status(tmp_path, capsys):
    assert main([]) == 0
    assert main([str(write(tmp_path, GOOD.replace("max = 1", "max = 0")))]) == 1
    assert "xx-2025-test.toml: limits[0].max" in capsys.readouterr().out


def test_engine_imports_nothing_of_the_project():
    """The dependency rule: subsidies/ uses the standard library only."""
    stdlib = set(sys.stdlib_module_names)
    for path in Path(POLICY_DIR.parent).glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in stdlib | {"__future__"}, f"{path.name} imports {name}"
