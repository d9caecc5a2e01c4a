"""The engine held to the edge cases of issue 14 (tests/factories/subsidy_edge_cases.py), kept
apart from the main rules table."""
from __future__ import annotations

import pytest

from tests.factories.subsidy_cases import CASES, check
from tests.factories.subsidy_edge_cases import EDGE_CASES


def test_edge_table_is_large_and_apart():
    assert len(EDGE_CASES) >= 40
    ids = [c[0] for c in EDGE_CASES]
    assert len(set(ids)) == len(ids) and not set(ids) & {c[0] for c in CASES}


@pytest.mark.parametrize("case_id,cite,request_body,expect", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_case(case_id, cite, request_body, expect):
    check(cite, request_body, expect)
