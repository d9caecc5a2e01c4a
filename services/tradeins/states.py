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
INSPECTABLE = frozenset({S.RECEIVED, S.LOCKED})

# What each action may start from, and where it goes (None: decided by what the action finds).
# Several actions share a target (declining an offer and releasing a blocked item both lead to
# `returning`), so an action is checked against its own starting states, not only the table.
ACTIONS: dict[str, tuple[frozenset[S], S | None]] = {
    "accept": (frozenset({S.QUOTED}), S.ACCEPTED),
    "expire": (frozenset({S.QUOTED}), S.EXPIRED),
    "cancel": (frozenset({S.QUOTED, S.ACCEPTED}), S.CANCELLED),
    "collect": (frozenset({S.ACCEPTED}), S.IN_TRANSIT),
    "receive": (frozenset({S.ACCEPTED, S.IN_TRANSIT}), S.RECEIVED),
    "inspect": (INSPECTABLE, None),
    "accept_offer": (frozenset({S.COUNTER_OFFERED}), S.INSPECTED),
    "decline_offer": (frozenset({S.COUNTER_OFFERED}), S.RETURNING),
    "offer_timeout": (frozenset({S.COUNTER_OFFERED}), S.RETURNING),
    "return_locked": (frozenset({S.LOCKED}), S.RETURNING),
    "release": (frozenset({S.BLOCKED}), S.RETURNING),
    "settle": (frozenset({S.INSPECTED}), S.PAID),
    "ship_return": (frozenset({S.RETURNING}), None),
    "confirm_returned": (frozenset({S.RETURNING}), S.RETURNED),
}


def allowed(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def check(current: S, target: S) -> None:
    """Raise InvalidState (409, naming the allowed targets) unless current -> target exists."""
    if target not in TRANSITIONS[current]:
        raise InvalidState(current.value, target.value, [s.value for s in TRANSITIONS[current]])


def check_action(current: S, action: str) -> None:
    """Raise InvalidState unless `action` may be taken from `current`."""
    starts, target = ACTIONS[action]
    if current not in starts:
        raise InvalidState(current.value, target.value if target else action,
                           [s.value for s in TRANSITIONS[current]])
