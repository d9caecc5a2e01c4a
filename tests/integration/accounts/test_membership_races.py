"""Membership races on real PostgreSQL, each contender in its own thread, session and transaction:
owners leaving together never leave an organisation without an owner, and one person gets one
open invitation however many times the owner clicks."""
from sqlalchemy import func, select

from services.accounts import membership
from services.accounts.models import InvitationStatus, Membership, MemberRole, OrgInvitation, Role, User
from services.errors import Conflict
from tests.factories.accounts import add_staff, make_user
from tests.factories.races import race

N = 6


def test_owners_leaving_together_keep_one_owner(app, session):
    founder = make_user(session, Role.RETAILER)
    org = founder.org_id
    owners = [founder] + [make_user(session, Role.RETAILER) for _ in range(N - 1)]
    for o in owners[1:]:
        add_staff(session, founder, o, role=MemberRole.OWNER)

    def leaver(user_id):
        return lambda s: membership.leave(s, s.get(User, user_id), org)

    results = race(app, [leaver(o.id) for o in owners])
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1 and refused[0].code == "last_owner"
    session.expire_all()
    left = session.scalar(select(func.count()).select_from(Membership).where(
        Membership.org_id == org, Membership.role == MemberRole.OWNER))
    assert left == 1


def test_repeated_invitations_make_one(app, session):
    owner = make_user(session, Role.RECYCLER)
    invitee = make_user(session, Role.RECYCLER)

    def invite(s):
        return membership.invite(s, s.get(User, owner.id), owner.org_id, invitee.user.email, MemberRole.STAFF).id

    results = race(app, [invite] * N)
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == N - 1 and {r.code for r in refused} == {"already_invited"}
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(OrgInvitation).where(
        OrgInvitation.user_id == invitee.id, OrgInvitation.status == InvitationStatus.PENDING)) == 1
