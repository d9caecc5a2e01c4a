"""The listing lifecycle as data: which transitions exist, and who may take them."""
from __future__ import annotations

from services.errors import InvalidState
from services.listings.models import Status

TRANSITIONS: dict[Status, set[Status]] = {
    Status.DRAFT: {Status.PENDING_REVIEW, Status.WITHDRAWN},
    Status.PENDING_REVIEW: {Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN},
    Status.PUBLISHED: {Status.RESERVED, Status.WITHDRAWN},
    Status.RESERVED: {Status.PUBLISHED, Status.SOLD},
    Status.REJECTED: {Status.PENDING_REVIEW, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.DRAFT},
    Status.SOLD: set(),
}

# Actions exposed through the API, mapped to the target state.
ACTIONS = {
    "submit": Status.PENDING_REVIEW,
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "withdraw": Status.WITHDRAWN,
    "relist": Status.DRAFT,
}
OPERATOR_ACTIONS = {"approve", "reject"}


def check(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidState(current.value, target.value, [s.value for s in TRANSITIONS[current]])
