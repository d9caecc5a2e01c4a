"""Users, organisations and tokens for tests, made through the real services."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select

from services.accounts import membership, service, vetting
from services.accounts.models import IdStatus, MemberRole, Organization, OrgKind, Role, User
from services import identifiers
from services.notifications.models import Notification

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@dataclass
class Actor:
    user: User
    token: str
    refresh_token: str

    @property
    def id(self):
        return self.user.id

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def org_id(self):
        """The organisation the user owns (else the first they belong to)."""
        owned = sorted(str(m.org_id) for m in self.user.memberships if m.role == MemberRole.OWNER)
        if owned:
            return next(m.org_id for m in self.user.memberships if str(m.org_id) == owned[0])
        return next(iter(sorted(self.user.org_ids(), key=str)), None)


def uscc(n: int, region: str = "110105") -> str:
    """A well-formed unified social credit code, distinct for each n (GB 32100 check character)."""
    body = f"91{region}{n:09d}"
    return body + identifiers.uscc_check_char(body)


def verify_org(session, org_id, n: int | None = None) -> Organization:
    """Mark an organisation verified (as an operator's approval would)."""
    org = session.get(Organization, org_id)
    return vetting.record_verified(session, org, uscc=uscc(n if n is not None else next(_seq)),
                                   recycling_reg_no="RR-TEST-0001" if org.kind == OrgKind.RECYCLER else None,
                                   reason="test factory")


def add_staff(session, owner: "Actor", member: "Actor", role: MemberRole = MemberRole.STAFF, org_id=None):
    """`member` joins `owner`'s organisation the only way there is: invited, then accepting."""
    inv = membership.invite(session, owner.user, org_id or owner.org_id, member.user.email, role)
    membership.respond(session, member.user, inv.id, True)
    session.commit()
    session.refresh(member.user)
    return inv


def make_user(session, role: Role | str = Role.CONSUMER, *, verified_id: str | None = None,
              email: str | None = None, verified_org: bool = True) -> Actor:
    """A user; retailers and recyclers own an organisation, verified unless `verified_org=False`."""
    role = Role(role)
    n = next(_seq)
    email = email or f"{role.value}{n}@test.huanxin.cn"
    if role == Role.OPERATOR:
        user = service.create_operator(session, email=email, password=PASSWORD, display_name=f"op{n}")
    else:
        user = service.register(session, email=email, password=PASSWORD, display_name=f"{role.value} {n}", confirmed=True,
                                role=role, org_name=f"{role.value} org {n}" if role != Role.CONSUMER else None)
    if verified_org and role in (Role.RETAILER, Role.RECYCLER):
        verify_org(session, next(iter(user.org_ids())), n)
    if verified_id:
        user.id_status = IdStatus.VERIFIED
        user.id_hash = identifiers.hmac_hash(session, verified_id, purpose="resident_id")
        user.id_last4 = identifiers.last4(verified_id)
    tokens = service.login(session, email, PASSWORD)
    session.commit()
    session.refresh(user)
    return Actor(user, tokens.access_token, tokens.refresh_token)


def register_via_api(client, **body):
    """POST /accounts/register with a consumer's body (fields of `body` override it)."""
    return client.post("/api/v1/accounts/register", json={
        "email": "li.lei@example.cn", "password": "a long password", "display_name": "李雷", "role": "consumer", **body})


def emailed_code(session, email: str, kind: str) -> str | None:
    """The code of the latest `kind` email of the account at `email` (as the user reads it in
    their mailbox: the notice's parameters); None when none was sent."""
    session.expire_all()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    note = session.scalar(select(Notification).where(Notification.recipient_id == user.id,
                                                     Notification.kind == kind)
                          .order_by(Notification.created_at.desc()).limit(1))
    session.rollback()
    return note.params["token"] if note else None


def confirmation_token(session, email: str) -> str:
    """The code of the latest confirmation email of the account at `email`."""
    return emailed_code(session, email, "confirm_email")


def reset_token(session, email: str) -> str | None:
    """The code of the latest password reset email of the account at `email` (None: none sent)."""
    return emailed_code(session, email, "password_reset")


def register_and_confirm(client, session, **body):
    """Register through the API (202) and confirm the address with the emailed code: the account
    can log in afterwards. Returns the confirmation's answer (the user)."""
    r = register_via_api(client, **body)
    assert r.status_code == 202, r.json
    r = client.post("/api/v1/accounts/confirm-email", json={"token": confirmation_token(session, r.json["email"])})
    assert r.status_code == 200, r.json
    return r
