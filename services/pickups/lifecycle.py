"""The pickup state machine; every change is timestamped in the booking's history."""
from __future__ import annotations

import uuid

from services.errors import InvalidState
from services.pickups.models import Booking, BookingStatus as S, StatusChange

TRANSITIONS: dict[S, frozenset[S]] = {
    S.REQUESTED: frozenset({S.CONFIRMED, S.CANCELLED, S.FAILED}),
    S.CONFIRMED: frozenset({S.CONFIRMED, S.ASSIGNED, S.CANCELLED, S.FAILED}),
    S.ASSIGNED: frozenset({S.CONFIRMED, S.ASSIGNED, S.EN_ROUTE, S.CANCELLED, S.FAILED}),
    S.EN_ROUTE: frozenset({S.ARRIVED, S.FAILED}),
    S.ARRIVED: frozenset({S.COLLECTED, S.FAILED}),
    S.COLLECTED: frozenset({S.DELIVERED_TO_FACILITY}),
    S.DELIVERED_TO_FACILITY: frozenset({S.PROCESSED}),
    S.PROCESSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
}
# Before the collector sets out the consumer may still move or cancel the pickup.
OPEN = (S.REQUESTED, S.CONFIRMED, S.ASSIGNED)
TERMINAL = (S.PROCESSED, S.CANCELLED, S.FAILED)


def allowed(current: S) -> list[str]:
    return sorted(s.value for s in TRANSITIONS[current])


def require_can(b: Booking, to: S) -> None:
    if to not in TRANSITIONS[b.status]:
        raise InvalidState(b.status.value, to.value, allowed(b.status))


def move(b: Booking, to: S, actor_id: uuid.UUID | None, reason: str | None = None, *, at) -> Booking:
    """Apply one transition (raising InvalidState when it is not allowed) and record it at `at`."""
    require_can(b, to)
    b.history.append(StatusChange(from_status=b.status.value, to_status=to.value, actor_id=actor_id,
                                  reason=reason, at=at))
    b.status = to
    return b
