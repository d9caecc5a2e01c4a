"""The trade-in lifecycle as data.

quoted ─accept─> accepted ─collect─> in_transit ─receive─> received ─inspect─> inspected ─settle─> paid
   │                │  └──────────receive (drop-off)──────────┘        │   ^
   │                └─cancel─> cancelled                               │   └─accept── counter_offered (found worse)
   ├─expire─> expired                                                  │      └─decline/timeout─> returning ─> returned
   └─cancel─> cancelled                                                ├─> locked (Activation Lock/FRP on): re-inspect or return
                                                                       ├─> blocked (on the blocklist): operator reviews, then return
                                                                       └─> returning (not the device that was quoted)
"""
from __future__ import annotations

from services.errors import InvalidState
from services.tradeins.models import Status as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.QUOTED: frozenset({S.ACCEPTED, S.EXPIRED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    # Returning straight from received: the device is not the one that was quoted.
    S.RECEIVED: frozenset({S.INSPECTED, S.COUNTER_OFFERED, S.LOCKED, S.BLOCKED, S.RETURNING}),
    # A locked device is inspected again once the consumer removes the lock remotely.
    S.LOCKED: frozenset({S.INSPECTED, S.COUNTER_OFFERED, S.LOCKED, S.BLOCKED, S.RETURNING}),
    S.BLOCKED: frozenset({S.RETURNING}),
    S.INSPECTED: frozenset({S.PAID}),
    # Inspected means "final value agreed, payout due": an accepted counter-offer lands there too,
    # so a failed transfer leaves the agreement standing and the payout can be retried.
    S.COUNTER_OFFERED: frozenset({S.INSPECTED, S.RETURNING}),
    S.RETURNING: frozenset({S.RETURNED}),
    S.PAID: frozenset(),
    S.RETURNED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# Before the item leaves the consumer: the states in which the consumer may still walk away.
CANCELLABLE = frozenset({S.QUOTED, S.ACCEPTED})
INSPECTABLE = frozenset({S.RECEIVED, S.LOCKED})


def allowed(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def check(current: S, target: S) -> None:
    """Raise InvalidState (409, naming the allowed targets) unless current -> target exists."""
    if target not in TRANSITIONS[current]:
        raise InvalidState(current.value, target.value, [s.value for s in TRANSITIONS[current]])
