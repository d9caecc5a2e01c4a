"""The engine held to the table of cases derived from the official rules
(tests/factories/subsidy_cases.py: each case cites its rule and source)."""
from __future__ import annotations

import pytest

from tests.factories.subsidy_cases import CASES, check


def test_table_is_large_enough():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case_id,cite,request_body,expect", CASES, ids=[c[0] for c in CASES])
def test_rule_case(case_id, cite, request_body, expect):
    check(cite, request_body, expect)
