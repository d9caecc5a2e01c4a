"""The order state machine: every pair of states is either an edge of TRANSITIONS (allowed) or a
409 naming the allowed targets (forbidden); the drawn diagram is the one the code generates."""
import itertools
import re
from pathlib import Path

import pytest

from services.errors import InvalidState
from services.orders import states
from services.orders.models import OrderStatus as S

ALLOWED = {
    (S.CREATED, S.PAYMENT_PENDING), (S.CREATED, S.CANCELLED),
    (S.PAYMENT_PENDING, S.PAID_HELD), (S.PAYMENT_PENDING, S.CANCELLED),
    (S.PAID_HELD, S.HANDED_OVER), (S.PAID_HELD, S.ACCEPTED), (S.PAID_HELD, S.CANCELLED), (S.PAID_HELD, S.DISPUTED),
    (S.HANDED_OVER, S.ACCEPTED), (S.HANDED_OVER, S.DISPUTED),
    (S.ACCEPTED, S.COMPLETED),
    (S.COMPLETED, S.REFUNDED), (S.COMPLETED, S.DISPUTED),
    (S.DISPUTED, S.COMPLETED), (S.DISPUTED, S.REFUNDED),
}


@pytest.mark.parametrize("src,dst", list(itertools.product(S, S)), ids=lambda s: s.value)
def test_every_transition_is_allowed_or_refused_with_the_allowed_ones(src, dst):
    if (src, dst) in ALLOWED:
        states.check(src, dst)
    else:
        with pytest.raises(InvalidState) as e:
            states.check(src, dst)
        assert e.value.status == 409
        assert e.value.extra == {"current": src.value, "attempted": dst.value,
                                 "allowed": sorted(t.value for t in states.TRANSITIONS[src])}


def test_the_table_is_exactly_the_reviewed_edges():
    table = {(a, b) for a, targets in states.TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert set(states.TRANSITIONS) == set(S)
    assert set(states.EDGE_LABELS) == ALLOWED


def test_money_rules_follow_from_the_table():
    # Cancelling is possible only before capture; nothing leaves a terminal state.
    assert states.CANCELLABLE == {S.CREATED, S.PAYMENT_PENDING, S.PAID_HELD}
    assert states.TERMINAL == {S.CANCELLED, S.REFUNDED}
    assert S.CANCELLED not in states.TRANSITIONS[S.COMPLETED] | states.TRANSITIONS[S.ACCEPTED]


def test_the_documented_diagram_is_generated_from_the_code():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "orders-state-machine.md").read_text()
    block = re.search(r"```mermaid\n(.*?)\n```", doc, re.S)
    assert block, "docs/orders-state-machine.md has no mermaid block"
    assert block.group(1) == states.mermaid(), "regenerate the diagram (see services/orders/states.py)"
