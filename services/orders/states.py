"""The order state machine as data. Every status change goes through `check`; the diagram in
docs/orders-state-machine.md is generated from TRANSITIONS by `mermaid()` (a test keeps it in step).

Regenerate the diagram with:
    .venv/bin/python -c "from services.orders.states import mermaid; print(mermaid())"
"""
from __future__ import annotations

from services.errors import InvalidState
from services.orders.models import OrderStatus as S

TRANSITIONS: dict[S, set[S]] = {
    S.CREATED: {S.PAYMENT_PENDING, S.CANCELLED},
    S.PAYMENT_PENDING: {S.PAID_HELD, S.CANCELLED},
    S.PAID_HELD: {S.HANDED_OVER, S.ACCEPTED, S.CANCELLED, S.DISPUTED},
    S.HANDED_OVER: {S.ACCEPTED, S.DISPUTED},
    S.ACCEPTED: {S.COMPLETED},
    S.COMPLETED: {S.REFUNDED, S.DISPUTED},
    S.DISPUTED: {S.COMPLETED, S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}

# What moves an order along each edge (for the diagram and for readers; the code checks TRANSITIONS).
EDGE_LABELS: dict[tuple[S, S], str] = {
    (S.CREATED, S.PAYMENT_PENDING): "payment started (intent created / cash chosen)",
    (S.CREATED, S.CANCELLED): "cancel / reservation expired",
    (S.PAYMENT_PENDING, S.PAID_HELD): "funds authorised (webhook) / seller confirms cash / store credit pays all",
    (S.PAYMENT_PENDING, S.CANCELLED): "cancel / reservation expired / intent canceled",
    (S.PAID_HELD, S.HANDED_OVER): "seller hands over",
    (S.PAID_HELD, S.ACCEPTED): "buyer accepts on the spot",
    (S.PAID_HELD, S.CANCELLED): "cancel (hold released)",
    (S.PAID_HELD, S.DISPUTED): "buyer opens dispute (not received)",
    (S.HANDED_OVER, S.ACCEPTED): "buyer accepts / acceptance window ends",
    (S.HANDED_OVER, S.DISPUTED): "buyer opens dispute",
    (S.ACCEPTED, S.COMPLETED): "capture succeeded",
    (S.COMPLETED, S.REFUNDED): "full refund",
    (S.COMPLETED, S.DISPUTED): "chargeback opened",
    (S.DISPUTED, S.COMPLETED): "released / partial refund / chargeback won",
    (S.DISPUTED, S.REFUNDED): "full refund / chargeback lost",
}

TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Before capture: the buyer's money is at most authorised, so cancelling only releases a hold.
CANCELLABLE = frozenset(s for s, targets in TRANSITIONS.items() if S.CANCELLED in targets)
UNPAID = frozenset({S.CREATED, S.PAYMENT_PENDING})


def allowed(current: S) -> set[S]:
    return TRANSITIONS[current]


def check(current: S, target: S) -> None:
    """Raise InvalidState (a 409 naming the allowed targets) unless current -> target is an edge."""
    if target not in TRANSITIONS[current]:
        raise InvalidState(current.value, target.value, [s.value for s in TRANSITIONS[current]])


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {S.CREATED.value}"]
    for src in S:
        for dst in sorted(TRANSITIONS[src], key=lambda s: list(S).index(s)):
            lines.append(f"    {src.value} --> {dst.value}: {EDGE_LABELS[(src, dst)]}")
    for s in sorted(TERMINAL, key=lambda s: list(S).index(s)):
        lines.append(f"    {s.value} --> [*]")
    return "\n".join(lines)
