"""Who may see and act on a trade-in, loading it under a row lock, and moving it between states
with a history row for every move."""
from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services import clock, pagination
from services.accounts.models import Role, User
from services.errors import Forbidden, NotFound
from services.tradeins import states
from services.tradeins.models import Status, TradeIn, TradeInEvent

STAFF_ROLES = (Role.RETAILER, Role.RECYCLER)


def is_staff_of(user: User | None, tradein: TradeIn) -> bool:
    """Staff of the organisation handling the item (or, before anyone claimed it, of the retailer
    it was quoted for)."""
    if user is None or user.role not in STAFF_ROLES:
        return False
    orgs = user.org_ids()
    return tradein.handler_org_id in orgs or (tradein.handler_org_id is None and tradein.org_id in orgs)


def claimable_by(user: User, tradein: TradeIn) -> bool:
    """An unclaimed trade-in (no handler yet) may be claimed by any retailer or recycler staff."""
    return user.role in STAFF_ROLES and tradein.handler_org_id is None and bool(user.org_ids())


def can_view(user: User | None, tradein: TradeIn) -> bool:
    if user is None:
        return False
    return user.is_operator or user.id == tradein.consumer_id or is_staff_of(user, tradein) or (
        claimable_by(user, tradein) and tradein.status in (Status.ACCEPTED, Status.IN_TRANSIT))


def get(session: Session, user: User | None, tradein_id) -> TradeIn:
    t = session.get(TradeIn, tradein_id)
    if t is None or not can_view(user, t):
        raise NotFound("no such trade-in")
    return t


def lock(session: Session, user: User | None, tradein_id) -> TradeIn:
    """The trade-in under a row lock (FOR UPDATE on PostgreSQL), or NotFound for those who may not see it."""
    t = session.scalar(select(TradeIn).where(TradeIn.id == tradein_id).with_for_update()
                       .execution_options(populate_existing=True))
    if t is None or (user is not None and not can_view(user, t)):
        raise NotFound("no such trade-in")
    return t


def require_consumer(user: User, t: TradeIn) -> None:
    if user.id != t.consumer_id:
        raise Forbidden("only the consumer who traded the item in may do this", code="not_your_tradein")


def require_staff(user: User, t: TradeIn, *, may_claim: bool = False) -> None:
    if is_staff_of(user, t):
        return
    if may_claim and claimable_by(user, t):
        return
    raise Forbidden("only staff of the organisation handling this item may do this", code="not_handler")


def record(session: Session, t: TradeIn, frm: Status | None, to: Status, actor_id: uuid.UUID | None,
           note: str | None = None) -> None:
    session.add(TradeInEvent(tradein_id=t.id, from_status=frm.value if frm else None, to_status=to.value,
                             actor_id=actor_id, note=note, at=clock.now(session)))


def move(session: Session, t: TradeIn, target: Status, actor_id: uuid.UUID | None, note: str | None = None,
         *, action: str | None = None) -> None:
    """Apply one transition of the state machine (InvalidState when it does not exist, or when
    `action` may not start from the current state)."""
    if action:
        states.check_action(t.status, action)
    states.check(t.status, target)
    frm = t.status
    t.status = target
    if note:
        t.status_reason = note[:300]
    record(session, t, frm, target, actor_id, note)


def history(session: Session, t: TradeIn) -> list[TradeInEvent]:
    return list(session.scalars(select(TradeInEvent).where(TradeInEvent.tradein_id == t.id)
                                .order_by(TradeInEvent.at, TradeInEvent.id)))


def browse(session: Session, user: User, *, cursor: str | None, limit: int, status: Status | None = None):
    """Consumers see their own; staff their organisations' and the unclaimed queue; operators all."""
    stmt = select(TradeIn)
    if user.role == Role.CONSUMER:
        stmt = stmt.where(TradeIn.consumer_id == user.id)
    elif user.role in STAFF_ROLES:
        orgs = user.org_ids() or {uuid.UUID(int=0)}
        stmt = stmt.where(or_(TradeIn.handler_org_id.in_(orgs),
                              and_(TradeIn.handler_org_id.is_(None), TradeIn.org_id.in_(orgs)),
                              and_(TradeIn.handler_org_id.is_(None),
                                   TradeIn.status.in_((Status.ACCEPTED, Status.IN_TRANSIT)))))
    if status:
        stmt = stmt.where(TradeIn.status == status)
    return pagination.page(session, stmt, TradeIn, cursor, limit)
