"""The public account view does not tell strangers that someone's ID check failed or is pending.

GET /api/v1/accounts/{id} is public (any seller id on a listing leads there) and showed
`id_status: rejected`: that a named person's real-name check was refused is theirs to know."""
import pytest

from services.accounts.models import IdStatus
from tests.factories.accounts import make_user


@pytest.mark.parametrize("status, shown", [
    (IdStatus.REJECTED, "unverified"), (IdStatus.PENDING, "unverified"),
    (IdStatus.UNVERIFIED, "unverified"), (IdStatus.VERIFIED, "verified"),
])
def test_strangers_see_only_verified_or_not(client, session, other_consumer, status, shown):
    person = make_user(session)
    person.user.id_status = status
    session.commit()
    for headers in ({}, other_consumer.headers):
        r = client.get(f"/api/v1/accounts/{person.user.id}", headers=headers)
        assert r.status_code == 200 and r.json["id_status"] == shown, r.json
    assert client.get("/api/v1/accounts/me", headers=person.headers).json["id_status"] == status.value
