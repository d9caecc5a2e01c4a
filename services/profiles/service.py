"""A participant's public standing, read from the domains that hold it: who they are (display
name, member since, real-name verified, organisation verified), how others rated them, how many
trades they completed, their credit band (the latest stored score; a read never scores anyone)
-- these three from services.standing, the row a listing's seller summary shows, so the two
always agree -- and how fast they answer questions about their listings. Nothing private: no ID
number, phone, email or address."""
from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import IdStatus, OrgStatus, User
from services.conversations.models import Conversation, Message
from services.errors import NotFound
from services.standing import interface as standing

RESPONSE_WINDOW = timedelta(days=90)   # response rate and time look at this many recent days
RESPONSE_SAMPLE = 200                  # and at most this many conversations


@dataclass(frozen=True)
class Profile:
    id: uuid.UUID
    display_name: str
    role: str
    member_since: object
    real_name_verified: bool
    organisation: dict | None
    rating_average: float | None
    rating_count: int
    completed_trades: int
    credit_band: str | None
    response_rate: float | None
    response_minutes: int | None


def _organisation(user: User) -> dict | None:
    memberships = list(user.memberships)
    if not memberships:
        return None
    org = memberships[0].org
    return {"id": org.id, "name": org.name, "kind": org.kind.value,
            "verified": org.verification_status is OrgStatus.VERIFIED}


def _responses(session: Session, user_id) -> tuple[float | None, int | None]:
    since = clock.now(session) - RESPONSE_WINDOW
    convs = list(session.execute(
        select(Conversation.id, Conversation.buyer_id).where(Conversation.seller_id == user_id,
                                                             Conversation.created_at >= since)
        .order_by(Conversation.created_at.desc()).limit(RESPONSE_SAMPLE)))
    if not convs:
        return None, None
    firsts = dict(((cid, sender), at) for cid, sender, at in session.execute(
        select(Message.conversation_id, Message.sender_id, func.min(Message.created_at))
        .where(Message.conversation_id.in_([c.id for c in convs]))
        .group_by(Message.conversation_id, Message.sender_id)))
    asked, waits = 0, []
    for cid, buyer_id in convs:
        question = firsts.get((cid, buyer_id))
        if question is None:
            continue
        asked += 1
        answer = firsts.get((cid, user_id))
        if answer is not None and answer >= question:
            waits.append((answer - question).total_seconds() / 60)
    if not asked:
        return None, None
    return round(len(waits) / asked, 2), (round(statistics.median(waits)) if waits else None)


def public_profile(session: Session, user_id) -> Profile:
    """The public profile of a consumer, retailer or recycler; NotFound for anyone else."""
    user = session.get(User, user_id)
    if user is None or user.is_operator:
        raise NotFound("no such user")
    shown = standing.summary(session, user.id)
    rate, minutes = _responses(session, user.id)
    return Profile(id=user.id, display_name=user.display_name, role=user.role.value,
                   member_since=user.created_at, real_name_verified=user.id_status is IdStatus.VERIFIED,
                   organisation=_organisation(user),
                   rating_average=shown.rating_average, rating_count=shown.rating_count,
                   completed_trades=shown.completed_trades, credit_band=shown.credit_band,
                   response_rate=rate, response_minutes=minutes)
