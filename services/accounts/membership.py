"""Who belongs to an organisation: nobody is added without consent. An owner invites, the
invitee accepts or declines; a member may leave (not the last owner); an owner removes staff.
Owners alone change the organisation's settings, registration and payout onboarding."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.models import (InvitationStatus, Membership, MemberRole, OrgInvitation,
                                      Organization, User)
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed

# What an owner changes directly; the registration goes through vetting.submit.
SETTINGS = ("name",)


def is_owner(user: User, org_id) -> bool:
    return any(m.org_id == org_id and m.role == MemberRole.OWNER for m in user.memberships)


def require_owner(user: User, org_id) -> None:
    """403 `owner_required` unless the user owns the organisation (staff may not change it);
    404 for someone who is not a member at all."""
    if org_id not in user.org_ids():
        raise NotFound("no such organisation")
    if not is_owner(user, org_id):
        raise Forbidden("only the organisation's owner may do this", code="owner_required")


def acting_org(user: User, org_id: uuid.UUID | None) -> uuid.UUID | None:
    """The organisation a user acts for: the one they name, when they belong to it (403 else).
    Unnamed, it is their own organisation only when that is the one organisation they belong to
    and they own it; a member of several must name one (422), so that belonging to someone
    else's organisation never files work under it unasked."""
    orgs = user.org_ids()
    if org_id is not None:
        if org_id not in orgs:
            raise Forbidden("not a member of that organisation", code="not_a_member")
        return org_id
    if len(orgs) > 1:
        raise ValidationFailed("you belong to several organisations",
                               fields={"org_id": ["Say which of your organisations this is for."]})
    only = next(iter(orgs), None)
    return only if only is not None and is_owner(user, only) else None


def invite(session: Session, actor: User, org_id, email: str, role: MemberRole) -> OrgInvitation:
    """The owner invites an existing user of the organisation's kind; nothing changes for the
    invitee until they accept. 409 `already_member` / `already_invited`."""
    require_owner(actor, org_id)
    org = session.get(Organization, org_id)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound("no user with this email", code="user_not_found")
    if user.role.value != org.kind.value:
        raise ValidationFailed("user role does not match the organisation",
                               fields={"email": [f"User must have role {org.kind.value}."]})
    if session.scalar(select(Membership.id).where(Membership.org_id == org.id, Membership.user_id == user.id)):
        raise Conflict("already a member", code="already_member")
    inv = OrgInvitation(org_id=org.id, user_id=user.id, invited_by=actor.id, role=role,
                        status=InvitationStatus.PENDING)
    try:
        with session.begin_nested():
            session.add(inv)
    except IntegrityError:  # the partial unique index: one open invitation per person
        raise Conflict("this user already has an open invitation", code="already_invited") from None
    audit.record(session, actor.id, "org.invite", "organization", org.id,
                 after={"user_id": str(user.id), "role": role.value, "invitation_id": str(inv.id)})
    return inv


def _invitation_for(session: Session, user: User, invitation_id) -> OrgInvitation:
    inv = session.get(OrgInvitation, invitation_id, with_for_update=True, populate_existing=True)
    if inv is None or inv.user_id != user.id:
        raise NotFound("no such invitation")
    if inv.status != InvitationStatus.PENDING:
        raise InvalidState(inv.status.value, "accepted", [])
    return inv


def respond(session: Session, user: User, invitation_id, accept: bool) -> OrgInvitation:
    """The invitee accepts (becoming a member with the offered role) or declines. Only the
    invitee sees the invitation (404 for anyone else); an answered one is a 409."""
    inv = _invitation_for(session, user, invitation_id)
    inv.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    inv.responded_at = clock.now(session)
    if accept:
        if session.scalar(select(Membership.id).where(Membership.org_id == inv.org_id,
                                                      Membership.user_id == user.id)) is None:
            session.add(Membership(org_id=inv.org_id, user_id=user.id, role=inv.role))
    session.flush()
    audit.record(session, user.id, f"org.invitation_{inv.status.value}", "organization", inv.org_id,
                 after={"user_id": str(user.id), "role": inv.role.value, "invitation_id": str(inv.id)})
    session.refresh(user)
    return inv


def pending_for(session: Session, user: User) -> list[OrgInvitation]:
    """The user's open invitations, oldest first."""
    return list(session.scalars(select(OrgInvitation).where(
        OrgInvitation.user_id == user.id, OrgInvitation.status == InvitationStatus.PENDING)
        .order_by(OrgInvitation.created_at)))


def _lock_org(session: Session, org_id) -> Organization:
    # Serialises leaving and removals of one organisation: two owners leaving at once must not
    # both see the other one still there.
    org = session.get(Organization, org_id, with_for_update=True)
    if org is None:
        raise NotFound("no such organisation")
    return org


def _membership(session: Session, org_id, user_id) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id))


def leave(session: Session, user: User, org_id) -> None:
    """The user leaves the organisation; its last owner cannot (409 `last_owner`)."""
    _lock_org(session, org_id)
    m = _membership(session, org_id, user.id)
    if m is None:
        raise NotFound("no such organisation")
    if m.role == MemberRole.OWNER:
        owners = session.scalar(select(func.count()).select_from(Membership).where(
            Membership.org_id == org_id, Membership.role == MemberRole.OWNER))
        if owners <= 1:
            raise Conflict("the last owner cannot leave", code="last_owner")
    session.delete(m)
    session.flush()
    audit.record(session, user.id, "org.leave", "organization", org_id, before={"user_id": str(user.id),
                                                                                 "role": m.role.value})
    session.expire(user, ["memberships"])


def remove(session: Session, actor: User, org_id, user_id) -> None:
    """An owner removes a staff member (owners are not removed by each other: 403)."""
    require_owner(actor, org_id)
    _lock_org(session, org_id)
    m = _membership(session, org_id, user_id)
    if m is None:
        raise NotFound("not a member", code="not_a_member")
    if m.role == MemberRole.OWNER:
        raise Forbidden("owners cannot be removed; they may leave", code="cannot_remove_owner")
    session.delete(m)
    session.flush()
    audit.record(session, actor.id, "org.remove_member", "organization", org_id,
                 before={"user_id": str(user_id), "role": m.role.value})


def update_settings(session: Session, actor: User, org_id, data: dict) -> Organization:
    """The owner changes the organisation's settings (its name; staff: 403 `owner_required`)."""
    require_owner(actor, org_id)
    org = _lock_org(session, org_id)
    data = {k: v for k, v in data.items() if k in SETTINGS}
    before = {k: getattr(org, k) for k in data}
    for k, v in data.items():
        setattr(org, k, v)
    audit.record(session, actor.id, "org.update", "organization", org.id, before=before, after=dict(data))
    session.flush()
    return org
