"""Users, organisations and tokens for tests, made through the real services."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from services.accounts import service
from services.accounts.models import IdStatus, Role, User
from services import identifiers

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
        return next(iter(self.user.org_ids()), None)


def make_user(session, role: Role | str = Role.CONSUMER, *, verified_id: str | None = None,
              email: str | None = None) -> Actor:
    role = Role(role)
    n = next(_seq)
    email = email or f"{role.value}{n}@test.huanxin.cn"
    if role == Role.OPERATOR:
        user = service.create_operator(session, email=email, password=PASSWORD, display_name=f"op{n}")
    else:
        user = service.register(session, email=email, password=PASSWORD, display_name=f"{role.value} {n}",
                                role=role, org_name=f"{role.value} org {n}" if role != Role.CONSUMER else None)
    if verified_id:
        user.id_status = IdStatus.VERIFIED
        user.id_hash = identifiers.hmac_hash(verified_id, purpose="resident_id")
        user.id_last4 = identifiers.last4(verified_id)
    tokens = service.login(session, email, PASSWORD)
    session.commit()
    session.refresh(user)
    return Actor(user, tokens.access_token, tokens.refresh_token)
