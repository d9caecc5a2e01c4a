"""The registry on real PostgreSQL: uniqueness under the partial index, append-only records,
key rotation across restarts, custody restarts, and the require_valid_certificate contract."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services import clock, identifiers
from services.certificates import custody, service, verify
from services.certificates.models import (AppendOnlyViolation, CertificateIdentifier, CustodyKind,
                                          SigningKeyRow, WipeCertificate)
from services.certificates.rules import CertificationRefused
from services.certificates.signing import Keyring, KeyStatus
from services.errors import Conflict
from tests.factories.certificates import (IMEI_1, IMEI_2, PHONE_SERIAL, certify, intake,
                                          recycler_team, wipe_report)


@pytest.fixture
def team(session):
    return recycler_team(session)


@pytest.fixture
def ring():
    r = Keyring()
    r.generate("it-1")
    return r


def test_one_current_certificate_per_identifier_is_enforced_by_the_database(session, ring, team):
    cert = certify(session, ring, team=team)
    imei_row = next(i for i in cert.identifiers if i.purpose == "device")
    session.add(CertificateIdentifier(certificate_id=cert.id, id_hash=imei_row.id_hash,
                                      purpose="device", last4="7518", current=True))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_two_pending_requests_for_one_device_only_one_is_signed(session, ring, team):
    tech, validator, _ = team
    intake(session, tech, imei=IMEI_1)
    first = service.submit(session, tech.user, wipe_report(validator.user.id))
    second = service.submit(session, tech.user, wipe_report(validator.user.id))
    session.commit()
    service.approve(session, validator.user, first.id, ring)
    session.commit()
    with pytest.raises(Conflict) as info:
        service.approve(session, validator.user, second.id, ring)
    assert info.value.code == "device_already_certified"
    session.rollback()


def test_signed_records_are_append_only(session, ring, team):
    cert = certify(session, ring, team=team)
    cert.payload = {**cert.payload, "place": "elsewhere"}
    with pytest.raises(AppendOnlyViolation, match="payload"):
        session.flush()
    session.rollback()
    cert = session.get(WipeCertificate, cert.id)
    session.delete(cert)
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()


def test_rotation_keeps_old_certificates_valid_and_retires_the_old_key(session, team):
    old_ring = Keyring()
    old_ring.generate("2026-01")
    old = certify(session, old_ring, team=team)
    # a restart with the rotated env: both keys present, the new one active
    new_ring = Keyring()
    new_ring.add_private("2026-01", old_ring.get("2026-01").private_key)
    new_ring.generate("2026-06")
    new = certify(session, new_ring, team=team, imei=IMEI_2, serial=None)
    assert (old.kid, new.kid) == ("2026-01", "2026-06")
    rows = {r.kid: r.status for r in session.scalars(select(SigningKeyRow))}
    assert rows == {"2026-01": KeyStatus.RETIRED, "2026-06": KeyStatus.ACTIVE}
    old_check = verify.check(session, old)
    assert old_check["valid"] and old_check["key_status"] == "retired"
    assert verify.check(session, new)["valid"]


def test_a_return_restarts_custody_so_the_old_wipe_no_longer_counts(session, ring, team):
    tech, validator, operator = team
    cert = certify(session, ring, team=team)
    service.revoke(session, operator.user, cert.id, "device came back from a buyer")
    custody.record(session, tech.user, kind=CustodyKind.RETURNED, at=clock.now(session) - timedelta(minutes=30),
                   imei=IMEI_1)
    session.commit()
    # the same report (wiped two hours ago) is now a replayed stale wipe
    with pytest.raises(CertificationRefused) as info:
        service.submit(session, tech.user, wipe_report(validator.user.id))
    assert "WIPE_BEFORE_CUSTODY" in info.value.codes
    session.rollback()
    ok = service.submit(session, tech.user, wipe_report(
        validator.user.id, wiped_at=clock.now(session) - timedelta(minutes=10)))
    assert ok.payload["custody_event_ids"]


def test_require_valid_certificate_contract(session, ring, team):
    cert = certify(session, ring, team=team)
    imei_hash = identifiers.hmac_hash(session, IMEI_1, purpose="device")
    serial_hash = identifiers.hmac_hash(session, PHONE_SERIAL, purpose="serial")
    assert verify.require_valid_certificate(session, imei_hash).id == cert.id
    assert verify.require_valid_certificate(session, serial_hash).id == cert.id
    assert verify.require_valid_certificate(session, imei_hash, serial_hash=serial_hash).id == cert.id
    with pytest.raises(verify.CertificateRequired) as info:
        verify.require_valid_certificate(session, identifiers.hmac_hash(session, IMEI_2, purpose="device"))
    assert info.value.status == 409 and info.value.extra["rule"] == "CERTIFICATE_MISSING"
    with pytest.raises(verify.CertificateRequired) as info:
        verify.require_valid_certificate(session, imei_hash, destination="recycling")
    assert info.value.extra["rule"] == "LEVEL_BELOW_REQUIRED"
