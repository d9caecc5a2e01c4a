import itertools

import pytest

from services.errors import InvalidState
from services.listings import states
from services.listings.models import Status

ALLOWED = {(a, b) for a, targets in states.TRANSITIONS.items() for b in targets}


@pytest.mark.parametrize("current,target", list(itertools.product(Status, Status)))
def test_every_transition_is_allowed_or_names_the_allowed_ones(current, target):
    if (current, target) in ALLOWED:
        states.check(current, target)
    else:
        with pytest.raises(InvalidState) as e:
            states.check(current, target)
        assert e.value.extra["allowed"] == sorted(s.value for s in states.TRANSITIONS[current])


def test_sold_is_terminal_and_every_state_is_reachable():
    assert states.TRANSITIONS[Status.SOLD] == set()
    reachable, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        for nxt in states.TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(Status)
