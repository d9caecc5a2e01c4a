"""Who has a score: consumers by user id, retailers and recyclers by organisation id."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import IdStatus, Organization, Role, User
from services.credit.features import AccountFacts
from services.errors import NotFound


@dataclass(frozen=True)
class Subject:
    id: uuid.UUID
    kind: str  # consumer | retailer | recycler
    identity_verified: bool
    opened_at: datetime
    member_ids: frozenset[uuid.UUID]  # users who may see this score as their own

    @property
    def event_ids(self) -> frozenset[uuid.UUID]:
        """Ids whose credit events count for this subject: its own and its staff's."""
        return self.member_ids | {self.id}

    @property
    def facts(self) -> AccountFacts:
        return AccountFacts(identity_verified=self.identity_verified, opened_at=self.opened_at)


def _org_subject(org: Organization) -> Subject:
    # A registered business licence, or a verified owner, is the organisation's identity check.
    verified = bool(org.licence_no) or any(
        m.user.id_status == IdStatus.VERIFIED for m in org.members if m.role.value == "owner")
    return Subject(id=org.id, kind=org.kind.value, identity_verified=verified,
                   opened_at=org.created_at, member_ids=frozenset(m.user_id for m in org.members))


def _user_subject(user: User) -> Subject:
    return Subject(id=user.id, kind="consumer", identity_verified=user.id_status == IdStatus.VERIFIED,
                   opened_at=user.created_at, member_ids=frozenset({user.id}))


def subject_for_user(session: Session, user: User) -> Subject:
    """The subject a user acts for: themselves as a consumer, or their organisation."""
    if user.role == Role.CONSUMER:
        return _user_subject(user)
    if user.role in (Role.RETAILER, Role.RECYCLER) and user.memberships:
        return _org_subject(session.get(Organization, user.memberships[0].org_id))
    raise NotFound("this account has no credit score (only consumers, retailers and recyclers do)",
                   code="credit_no_subject")


def resolve(session: Session, subject_or_user_id: uuid.UUID) -> Subject:
    """A subject by its id, or by the id of a user acting for it; NotFound for anyone else."""
    org = session.get(Organization, subject_or_user_id)
    if org is not None:
        return _org_subject(org)
    user = session.get(User, subject_or_user_id)
    if user is None:
        raise NotFound(f"no participant {subject_or_user_id}", code="credit_unknown_participant")
    return subject_for_user(session, user)


def subject_id_for(session: Session, user_id: uuid.UUID) -> uuid.UUID:
    """The subject id to record events against for a user (their organisation for staff)."""
    return resolve(session, user_id).id


def facts_for(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Subject]:
    """Subjects for many ids at once (the batch path); unknown ids are left out."""
    ids = list(ids)
    out: dict[uuid.UUID, Subject] = {}
    # Plain columns, not User objects: the batch path reads thousands of consumers at a time.
    for uid, status, created in session.execute(select(User.id, User.id_status, User.created_at).where(
            User.id.in_(ids), User.role == Role.CONSUMER)):
        out[uid] = Subject(id=uid, kind="consumer", identity_verified=status == IdStatus.VERIFIED,
                           opened_at=created, member_ids=frozenset({uid}))
    rest = [i for i in ids if i not in out]
    if rest:
        for org in session.scalars(select(Organization).where(Organization.id.in_(rest))):
            out[org.id] = _org_subject(org)
    return out
