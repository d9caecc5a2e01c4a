"""Who may see and act on pickups: the consumer, the booker (a retailer's staff), the recycler's
staff, operators. Others get a 404, as if the booking did not exist."""
from __future__ import annotations

import uuid

from services.accounts.models import Role, User
from services.errors import Forbidden, NotFound
from services.pickups.models import Booking


def is_member(user: User | None, org_id: uuid.UUID | None) -> bool:
    return bool(user) and org_id is not None and org_id in user.org_ids()


def require_staff(user: User, org_id: uuid.UUID) -> None:
    """Recycler staff of `org_id` (operators pass too)."""
    if user.is_operator:
        return
    if user.role != Role.RECYCLER or not is_member(user, org_id):
        raise Forbidden("only this recycler's staff may do this", code="not_recycler_staff")


def is_consumer_side(user: User | None, b: Booking) -> bool:
    return bool(user) and (user.id in (b.consumer_id, b.booked_by_id) or is_member(user, b.booked_by_org_id))


def is_recycler_side(user: User | None, b: Booking) -> bool:
    return bool(user) and b.recycler is not None and user.role == Role.RECYCLER \
        and is_member(user, b.recycler.org_id)


def can_view(user: User | None, b: Booking) -> bool:
    return bool(user) and (user.is_operator or is_consumer_side(user, b) or is_recycler_side(user, b))


def require_view(user: User | None, b: Booking | None) -> Booking:
    if b is None or not can_view(user, b):
        raise NotFound("no such pickup")
    return b


def require_recycler_side(user: User, b: Booking) -> None:
    require_view(user, b)
    if not (user.is_operator or is_recycler_side(user, b)):
        raise Forbidden("only the recycler handling this pickup may do this", code="not_recycler_staff")


def require_consumer_side(user: User, b: Booking) -> None:
    require_view(user, b)
    if not (user.is_operator or is_consumer_side(user, b)):
        raise Forbidden("only the consumer or the booker may do this", code="not_consumer_side")
