"""Issue 14 machinery: refusals locate their rule in its programme file, secondary rules are
marked and can be switched off, local starts and the new file keys are linted."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from subsidies import Catalogue, RequestError, load_programmes, quote
from subsidies.lint import lint
from subsidies.loader import POLICY_DIR

from tests.factories.subsidy_cases import CASES
from tests.factories.subsidy_edge_cases import EDGE_CASES
from tests.factories.subsidy_requests import CATALOGUE, car

SECONDARY = {"ownership-before-2025-01-08", "registration-certificate-from-2026-01-01",
             "registered-in-invoicing-province"}


def _locate(data: dict, clause: str) -> bool:
    """Whether `clause` (a condition id or a dotted path such as rules[1].amount) is in the file."""
    every = list(data.get("conditions", [])) + [c for r in data.get("rules", []) for c in r.get("require", [])]
    if any(c.get("id") == clause for c in every):
        return True
    node: object = data
    for part in clause.split("."):
        name, _, index = part.partition("[")
        if not isinstance(node, dict) or name not in node:
            return False
        node = node[name]
        if index:
            i = int(index.rstrip("]"))
            if not isinstance(node, list) or i >= len(node):
                return False
            node = node[i]
    return True


def _quotes():
    for case_id, _, body, _ in CASES + EDGE_CASES:
        try:
            yield case_id, quote(body, CATALOGUE)
        except RequestError:
            continue


def test_every_refusal_names_a_rule_that_is_in_its_file_and_a_source():
    seen = 0
    for case_id, result in _quotes():
        for refusal in result.ineligible:
            if refusal.code == "no_programme_in_force":
                assert refusal.programme is None and result.nearest is not None, case_id
                continue
            seen += 1
            assert refusal.file and refusal.clause, (case_id, refusal)
            data = tomllib.loads((POLICY_DIR / refusal.file).read_text(encoding="utf-8"))
            assert _locate(data, refusal.clause), (case_id, refusal.file, refusal.clause)
            assert refusal.source is not None and refusal.source.title, (case_id, refusal)
            assert refusal.source.ref in {s["ref"] for s in data["sources"]}, (case_id, refusal)
    assert seen > 150


def test_secondary_rules_are_marked_with_their_source_in_the_2026_car_files():
    for name in ("cn-2026-vehicle-scrappage.toml", "cn-2026-vehicle-replacement.toml",
                 "sz-2026-vehicle-replacement.toml"):
        data = tomllib.loads((POLICY_DIR / name).read_text(encoding="utf-8"))
        marked = {c["id"]: c for c in data["conditions"] if c.get("basis") == "secondary"}
        assert SECONDARY <= set(marked), name
        refs = {s["ref"]: s for s in data["sources"]}
        for c in marked.values():
            assert c["enabled"] is True and "secondary" in refs[c["source"]]["title"].lower(), (name, c["id"])
    scrappage = tomllib.loads((POLICY_DIR / "cn-2026-vehicle-scrappage.toml").read_text(encoding="utf-8"))
    assert {"scrap-certificate-from-2026-01-01", "deregistration-from-2026-01-01"} <= {
        c.get("id") for c in scrappage["conditions"] if c.get("basis") == "secondary"}


def _catalogue_with(tmp_path: Path, name: str, rule_id: str) -> Catalogue:
    """The shipped programmes, with rule `rule_id` of file `name` switched off."""
    for path in POLICY_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == name:
            head, marker, tail = text.partition(f'id = "{rule_id}"')
            assert marker, rule_id
            tail = tail.replace("enabled = true", "enabled = false", 1)
            text = head + marker + tail
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return Catalogue(load_programmes(tmp_path))


@pytest.mark.parametrize("name,rule_id,body,programme,code", [
    ("cn-2026-vehicle-scrappage.toml", "ownership-before-2025-01-08",
     car("2026-03-01", 100000, owned_since="2025-06-01"), "CN-2026-vehicle-scrappage", "OWNERSHIP_TOO_RECENT"),
    ("cn-2026-vehicle-scrappage.toml", "scrap-certificate-from-2026-01-01",
     car("2026-03-01", 100000, scrap_certificate_date="2025-12-31"), "CN-2026-vehicle-scrappage",
     "EVIDENCE_DATE_OUT_OF_RANGE"),
    ("cn-2026-vehicle-scrappage.toml", "registered-in-invoicing-province",
     car("2026-03-01", 100000, registered_in="120101"), "CN-2026-vehicle-scrappage",
     "REGISTRATION_PROVINCE_MISMATCH"),
    ("cn-2026-vehicle-replacement.toml", "registration-certificate-from-2026-01-01",
     car("2026-03-01", 100000, disposal="transfer", registration_date="2025-12-31"),
     "CN-2026-vehicle-replacement", "EVIDENCE_DATE_OUT_OF_RANGE"),
    ("sz-2026-vehicle-replacement.toml", "ownership-before-2025-01-08",
     car("2026-03-01", 100000, region="440305", disposal="transfer", owned_since="2025-06-01"),
     "SZ-2026-vehicle-replacement", "OWNERSHIP_TOO_RECENT"),
])
def test_a_programme_file_can_switch_a_secondary_rule_off(tmp_path, name, rule_id, body, programme, code):
    shipped = quote(body, CATALOGUE)
    [refusal] = [r for r in shipped.ineligible if r.programme == programme]
    assert (refusal.code, refusal.clause, refusal.secondary) == (code, rule_id, True)
    switched = quote(body, _catalogue_with(tmp_path, name, rule_id))
    assert programme in {line.programme for line in switched.lines}


def test_the_switch_is_per_file(tmp_path):
    # Off in Shenzhen's file only: the national rule still refuses in Guangzhou.
    catalogue = _catalogue_with(tmp_path, "sz-2026-vehicle-replacement.toml", "ownership-before-2025-01-08")
    body = car("2026-03-01", 100000, region="440106", disposal="transfer", owned_since="2025-06-01")
    assert not quote(body, catalogue).lines


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx-test.toml"
    path.write_text(text, encoding="utf-8")
    return path


SHANGHAI = (POLICY_DIR / "sh-2025-vehicle-replacement.toml").read_text(encoding="utf-8")
APPLIANCE = (POLICY_DIR / "cn-2024-appliance.toml").read_text(encoding="utf-8")


def _city(text: str) -> str:
    return text.replace('"SH-2025-vehicle-replacement"', '"XX-2025-vehicle-replacement"')


@pytest.mark.parametrize("base,old,new,field,message", [
    (SHANGHAI, 'source = "HS112"', 'source = "S99"', "outside-old-car-price-floor.source", "do not list"),
    (SHANGHAI, 'id = "outside-old-car-price-floor"\n', 'id = "outside-old-car-price-floor"\nbasis = "rumour"\n',
     "conditions[6].basis", "primary or secondary"),
    (SHANGHAI, 'id = "outside-old-car-price-floor"\n', 'basis = "secondary"\n', "conditions[6].id", "secondary"),
    (SHANGHAI, 'id = "outside-old-car-price-floor"\n', 'id = "outside-old-car-price-floor"\nenabled = "no"\n',
     "conditions[6].enabled", "boolean"),
    (SHANGHAI, 'field = "trade_in.registered_in", op = "not_prefix", value = "31"',
     'field = "date", op = "not_prefix", value = 2025-01-01',
     "conditions[6].when[0].op", "region fields only"),
    (APPLIANCE, "start = 2024-09-07", "start = 2024-07-01", "local_starts[0].start", "after window.start"),
    (APPLIANCE, 'region = "31"', 'region = "3x"', "local_starts[0].region", "prefix"),
    (APPLIANCE, 'source = "SH24A"', 'source = "SH24A"\nkinds = ["microwave_oven"]', "local_starts[0].kinds",
     "kinds of this programme"),
    (APPLIANCE, 'note = "Read in reprints', 'noted = "Read in reprints', "sources[4].url", "required"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 40 and "\n" not in v else "")
def test_new_keys_are_linted(tmp_path, base, old, new, field, message):
    text = _city(base) if base is SHANGHAI else base.replace('"CN-2024-appliance"', '"XX-2024-appliance"')
    assert old in text
    issues = lint([_write(tmp_path, text.replace(old, new, 1))])
    assert any(i.field == field and message in i.message for i in issues), issues


def test_rounding_up_and_local_starts_load(tmp_path):
    text = _city(SHANGHAI).replace('amount = { type = "fixed", amount_fen = 1500000 }',
                                   'amount = { type = "rate", rate = "0.07", cap_fen = 1500000, '
                                   'rounding_unit_fen = 1000, rounding = "up" }')
    assert lint([_write(tmp_path, text)]) == []
