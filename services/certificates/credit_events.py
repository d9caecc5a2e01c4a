"""What a wipe report tells the credit domain: a certificate issued, or a report the rules refused.

These feed the `wipe_refusal_rate` factor (services/credit/features.py): refused / (issued +
refused), with the credit domain's count floors.

The subject is the organisation the technician wipes for, the `org_id` the request and the
certificate record. The factor is about how a participant wipes devices: its reason
(WIPE_NONCOMPLIANT) advises "wipe devices to the required standard and upload the
certificate", and the synthetic population the default card was fitted on gives certificates
to recyclers only. So it is not the device's seller or trade-in consumer (they may not certify
their own device, SELF_CERTIFICATION, and have no hand in the report), nor the validator (who
checks the report and did not write it). Retailer and recycler staff are scored through their
organisation (services/credit/subjects.py). A technician with no organisation is a platform
operator, who has no credit score, so nothing is recorded for them.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Mapping

from sqlalchemy.orm import Session

from services import clock, identifiers
from services.identifiers import IdHasher
from services.accounts.models import User
from services.credit.interface import record_event_once

from .models import WipeCertificate
from .rules import CertificationRefused

ISSUED, REFUSED, REVOKED = "wipe_certificate_ok", "wipe_certificate_refused", "wipe_certificate_revoked"
# A refused report has no certificate id, so its ref is the report's keyed digest, under its own
# ref_type: a "certificate" ref is always an id GET /certificates/{id} knows.
REF_CERTIFICATE, REF_REPORT = "certificate", "certificate_report"


def issuing_org(user: User) -> uuid.UUID | None:
    """The organisation a technician's certificates are issued under (the first, as on the
    signed document)."""
    orgs = sorted(user.org_ids(), key=str)
    return orgs[0] if orgs else None


def report_ref(hasher: IdHasher, technician_id: uuid.UUID, data: Mapping[str, Any],
               supersedes_id: uuid.UUID | None) -> str:
    """A stable name for one submitted report: the same report sent again gets the same ref.

    Keyed (HMAC under ID_HASH_KEY): the report holds raw IMEIs and serials, and a plain hash of a
    report whose other fields are known could be reversed by trying the IMEIs of one model.
    """
    body = json.dumps({"technician": str(technician_id),
                       "supersedes": str(supersedes_id) if supersedes_id else None,
                       "report": data}, sort_keys=True, default=str, ensure_ascii=False,
                      separators=(",", ":"))
    return hasher.hash(hashlib.sha256(body.encode()).hexdigest(), purpose="wipe_report")


def record_issued(session: Session, cert: WipeCertificate) -> None:
    """Count a signed certificate once for the issuing organisation."""
    if cert.org_id is None:
        return
    record_event_once(session, cert.org_id, ISSUED, ref_type=REF_CERTIFICATE, ref_id=cert.id,
                      detail={"device_kind": cert.device_kind, "destination": cert.destination,
                              "correction": cert.supersedes_id is not None},
                      occurred_at=cert.issued_at)


def record_revoked(session: Session, cert: WipeCertificate) -> None:
    """Count an operator's revocation once against the issuing organisation."""
    if cert.org_id is None:
        return
    record_event_once(session, cert.org_id, REVOKED, ref_type=REF_CERTIFICATE, ref_id=cert.id,
                      detail={"device_kind": cert.device_kind}, occurred_at=clock.now(session))


def record_refused(session: Session, technician: User, data: Mapping[str, Any],
                   supersedes_id: uuid.UUID | None, refused: CertificationRefused) -> None:
    """Count a report the rules refused once for the technician's organisation. The detail
    names the rule codes, never an identifier."""
    org = issuing_org(technician)
    if org is None:
        return
    device = data.get("device") or {}
    record_event_once(session, org, REFUSED, ref_type=REF_REPORT,
                      ref_id=report_ref(identifiers.hasher(session), technician.id, data, supersedes_id),
                      detail={"codes": sorted(set(refused.codes)), "device_kind": device.get("kind"),
                              "destination": data.get("destination")},
                      occurred_at=clock.now(session))
