"""The trade-in state machine: every pair of states is either an allowed transition or refused
with a 409 that names the allowed ones."""
import itertools

import pytest

from services.errors import InvalidState
from services.tradeins import states
from services.tradeins.models import Status as S

ALLOWED = {
    (S.QUOTED, S.ACCEPTED), (S.QUOTED, S.EXPIRED), (S.QUOTED, S.CANCELLED),
    (S.ACCEPTED, S.IN_TRANSIT), (S.ACCEPTED, S.RECEIVED), (S.ACCEPTED, S.CANCELLED),
    (S.IN_TRANSIT, S.RECEIVED),
    (S.RECEIVED, S.INSPECTED), (S.RECEIVED, S.COUNTER_OFFERED), (S.RECEIVED, S.LOCKED),
    (S.RECEIVED, S.BLOCKED), (S.RECEIVED, S.RETURNING),
    (S.LOCKED, S.INSPECTED), (S.LOCKED, S.COUNTER_OFFERED), (S.LOCKED, S.LOCKED), (S.LOCKED, S.BLOCKED),
    (S.LOCKED, S.RETURNING),
    (S.BLOCKED, S.RETURNING),
    (S.INSPECTED, S.PAID),
    (S.COUNTER_OFFERED, S.INSPECTED), (S.COUNTER_OFFERED, S.RETURNING),
    (S.RETURNING, S.RETURNED),
}
PAIRS = list(itertools.product(S, S))


def test_the_table_is_exactly_the_documented_machine():
    assert {(a, b) for a, nxt in states.TRANSITIONS.items() for b in nxt} == ALLOWED
    assert set(states.TRANSITIONS) == set(S)


@pytest.mark.parametrize("current,target", [p for p in PAIRS if p in ALLOWED], ids=lambda s: s.value)
def test_allowed_transition(current, target):
    states.check(current, target)
    assert states.allowed(current, target)


@pytest.mark.parametrize("current,target", [p for p in PAIRS if p not in ALLOWED], ids=lambda s: s.value)
def test_forbidden_transition(current, target):
    with pytest.raises(InvalidState) as e:
        states.check(current, target)
    assert e.value.status == 409 and not states.allowed(current, target)
    assert e.value.extra == {"current": current.value, "attempted": target.value,
                             "allowed": sorted(s.value for s in states.TRANSITIONS[current])}


def test_terminal_states_and_payability():
    assert states.TERMINAL == {S.PAID, S.RETURNED, S.EXPIRED, S.CANCELLED}
    # money goes out only from an agreed value: never from locked, blocked or counter-offered
    assert [a for a, b in ALLOWED if b == S.PAID] == [S.INSPECTED]


@pytest.mark.parametrize("action", sorted(states.ACTIONS))
def test_each_action_starts_only_where_it_may(action):
    starts, target = states.ACTIONS[action]
    for current in S:
        if current in starts:
            states.check_action(current, action)
            if target is not None:
                assert states.allowed(current, target)
        else:
            with pytest.raises(InvalidState):
                states.check_action(current, action)
