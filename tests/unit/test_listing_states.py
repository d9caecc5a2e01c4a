"""The listing lifecycle, written out here by hand (not read from services.listings.states): a
change to the transitions must change this table too, on purpose."""
import itertools

import pytest

from services.errors import InvalidState
from services.listings import states
from services.listings.models import Status

# current state -> the states it may move to (sorted, as the 409 names them)
EXPECTED = {
    "draft": ["pending_review", "withdrawn"],
    "pending_review": ["published", "rejected", "withdrawn"],
    "published": ["reserved", "withdrawn"],
    "reserved": ["published", "sold"],
    "rejected": ["pending_review", "withdrawn"],
    "withdrawn": ["draft"],
    "sold": [],
}


def test_the_table_covers_every_state():
    assert set(EXPECTED) == {s.value for s in Status}


@pytest.mark.parametrize("current,target", list(itertools.product(Status, Status)))
def test_every_transition_is_allowed_or_names_the_allowed_ones(current, target):
    if target.value in EXPECTED[current.value]:
        states.check(current, target)
    else:
        with pytest.raises(InvalidState) as e:
            states.check(current, target)
        assert e.value.extra["allowed"] == EXPECTED[current.value]


def test_sold_is_terminal_and_every_state_is_reachable():
    assert EXPECTED["sold"] == []
    reachable, frontier = {"draft"}, ["draft"]
    while frontier:
        for nxt in EXPECTED[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(EXPECTED)
