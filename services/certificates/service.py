"""Issuing certificates: a technician submits, a second person approves and the registry signs.

Append-only: an approved certificate is never edited. A correction is a new request that
supersedes it; a revocation only moves its status. One device has at most one current
certificate, held by a partial unique index on its identifier hashes.

Each issued certificate and each report the rules refuse is a credit event for the issuing
organisation (credit_events.py), the input of its `wipe_refusal_rate`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, identifiers
from services.identifiers import IdHasher
from services.accounts.interface import require_verified
from services.accounts.models import OrgKind, Role, User
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from services.listings.models import Listing, Status as ListingStatus
from services.notifications.interface import notify

from . import credit_events, custody, document, keys, summary, tools
from .canonical import digest
from .draft import (Destination, DeviceKind, Draft, HiddenAreas, Level, Locks, LockState,
                    MediaType, Medium, Outcome, Person, Technique, Tool, VerificationMethod,
                    VerificationResult)
from .models import (CertificateIdentifier, CertificateMedium, CertificateRequest, CertStatus,
                     RequestStatus, WipeCertificate)
from .rules import CertificationRefused, Refusal, RuleContext, enforce
from .signing import Keyring

ISSUER_ROLES = (Role.RECYCLER, Role.RETAILER, Role.OPERATOR)


def _person(user: User) -> Person:
    org = credit_events.issuing_org(user)
    return Person(str(user.id), user.display_name, str(org) if org else None)


def _draft(data: Mapping[str, Any], technician: User, validator: User) -> Draft:
    device = data["device"]
    media = [Medium(
        media_type=MediaType(m["media_type"]), interface=m["interface"],
        capacity_bytes=m["capacity_bytes"], level=Level(m["level"]),
        technique=Technique(m["technique"]), tool=Tool(m["tool"]["name"], m["tool"]["version"]),
        verification_method=VerificationMethod(m["verification"]["method"]),
        verification_result=VerificationResult(m["verification"]["result"]),
        started_at=m["started_at"], completed_at=m["completed_at"], outcome=Outcome(m["outcome"]),
        serial=m.get("serial"), passes=m.get("passes"), random_passes=m.get("random_passes"),
        encrypted_from_first_use=m.get("encrypted_from_first_use"),
        hidden_areas=HiddenAreas(m.get("hidden_areas") or "not_applicable"),
        removable=bool(m.get("removable"))) for m in data["media"]]
    locks = data["locks"]
    return Draft(device_kind=DeviceKind(device["kind"]), make=device["make"],
                 model=device["model"], imeis=list(device.get("imeis") or []),
                 serial=device.get("serial"), media=media,
                 locks=Locks(LockState(locks["activation_lock"]), LockState(locks["frp"]),
                             LockState(locks["mdm"])),
                 destination=Destination(data["destination"]), technician=_person(technician),
                 validator=_person(validator), place=data["place"])


def _draft_hashes(hasher: IdHasher, draft: Draft) -> set[str]:
    found = {document.hashed(hasher, i, document.IMEI)["hash"] for i in draft.imeis}
    if draft.serial:
        found.add(document.hashed(hasher, draft.serial, document.SERIAL)["hash"])
    return found


def _sellers(session: Session, hashes: set[str]) -> tuple[set[str], set[str]]:
    # Who sells the device now: a seller whose listing of it was sold no longer owns it (a
    # recycler that resold a phone may wipe it again when it comes back).
    rows = session.execute(select(Listing.seller_id, Listing.org_id).where(
        or_(Listing.device_hash.in_(hashes), Listing.serial_hash.in_(hashes)),
        Listing.status != ListingStatus.SOLD)).all()
    return {str(r.seller_id) for r in rows}, {str(r.org_id) for r in rows if r.org_id}


def current_for(session: Session, hashes: set[str]) -> WipeCertificate | None:
    """The live (not superseded, not revoked) certificate of a device, if any."""
    cert_id = session.scalar(select(CertificateIdentifier.certificate_id).where(
        CertificateIdentifier.id_hash.in_(hashes), CertificateIdentifier.current.is_(True)))
    return session.get(WipeCertificate, cert_id) if cert_id else None


def _check_validator(session: Session, technician: User, validator_id: uuid.UUID) -> User:
    validator = session.get(User, validator_id)
    if validator is None or not validator.is_active:
        raise ValidationFailed("no such validator", fields={"validator_id": ["Unknown user."]})
    shares_org = bool(technician.org_ids() & validator.org_ids())
    if validator.role not in ISSUER_ROLES or not (validator.is_operator or shares_org):
        raise ValidationFailed("the validator must be an operator or a colleague of the technician",
                               fields={"validator_id": ["Not allowed to validate this wipe."]})
    return validator


@dataclass(frozen=True)
class Submission:
    """What a submitted report came to: a request queued for its validator, or the rules'
    refusal, whose credit event is already in the session."""
    request: CertificateRequest | None = None
    refused: CertificationRefused | None = None

    def result(self) -> CertificateRequest:
        """The queued request; raises the refusal."""
        if self.refused is not None:
            raise self.refused
        assert self.request is not None
        return self.request


def check_and_submit(session: Session, actor: User, data: Mapping[str, Any], *,
                     supersedes_id: uuid.UUID | None = None) -> Submission:
    """Like `submit`, but a refusal by the rules is returned, not raised.

    The refusal is recorded as a `wipe_certificate_refused` credit event in `session` (once per
    report: the same report sent again is not counted again). The caller commits, then raises
    `result()`: a unit of work rolls back everything on an exception (marketplace/uow.py), so a
    refusal raised inside it would take its record with it. Nothing else is written by then: the
    rules run before the request row is added, and their checks only read.
    """
    try:
        return Submission(request=_submit(session, actor, data, supersedes_id))
    except CertificationRefused as refused:
        credit_events.record_refused(session, actor, data, supersedes_id, refused)
        return Submission(refused=refused)


def submit(session: Session, actor: User, data: Mapping[str, Any], *,
           supersedes_id: uuid.UUID | None = None) -> CertificateRequest:
    """Check a technician's wipe report against every rule and queue it for its validator.

    Raises CertificationRefused (422, with rule codes) when a rule fails, Conflict when the
    device already has a current certificate (use a correction) or a correction names another
    device. A refusal's credit event stays pending in `session`: it is kept only if the caller
    commits anyway (see `check_and_submit`)."""
    return check_and_submit(session, actor, data, supersedes_id=supersedes_id).result()


def _submit(session: Session, actor: User, data: Mapping[str, Any],
            supersedes_id: uuid.UUID | None) -> CertificateRequest:
    if actor.role not in ISSUER_ROLES or not (actor.is_operator or actor.org_ids()):
        raise Forbidden("only verified recyclers' staff and operators issue certificates",
                        code="role_required")
    if not actor.is_operator:  # certificates are issued under the technician's organisation
        require_verified(session, credit_events.issuing_org(actor), OrgKind.RECYCLER, "certify wipes")
    validator = _check_validator(session, actor, data["validator_id"])
    draft = _draft(data, actor, validator)
    hashes = _draft_hashes(identifiers.hasher(session), draft)
    start = custody.custody_start(session, hashes) if hashes else None
    sellers, seller_orgs = _sellers(session, hashes) if hashes else (set(), set())
    enforce(draft, RuleContext(now=clock.now(session), allowed_tools=tools.allowed(session),
                               custody_started_at=start, custody_required=True,
                               seller_ids=sellers, seller_org_ids=seller_orgs))
    _check_supersession(session, hashes, supersedes_id)
    if start is not None:
        draft.custody_event_ids = [str(e.id) for e in custody.events_since(session, hashes, start)]
    cert_id = uuid.uuid4()
    payload = document.build(draft, certificate_id=str(cert_id), issued_at=clock.now(session), hasher=identifiers.hasher(session),
                             supersedes=str(supersedes_id) if supersedes_id else None)
    req = CertificateRequest(certificate_id=cert_id, technician_id=actor.id,
                             validator_id=validator.id,
                             org_id=uuid.UUID(draft.technician.organization_id)
                             if draft.technician.organization_id else None,
                             supersedes_id=supersedes_id, payload=payload,
                             device_hashes=sorted(hashes))
    session.add(req)
    session.flush()
    return req


def _check_supersession(session: Session, hashes: set[str],
                        supersedes_id: uuid.UUID | None) -> WipeCertificate | None:
    current = current_for(session, hashes)
    if supersedes_id is None:
        if current is not None:
            raise Conflict("this device already has a current certificate; submit a correction",
                           code="device_already_certified",
                           extra={"certificate_id": str(current.id)})
        return None
    old = session.get(WipeCertificate, supersedes_id)
    if old is None:
        raise NotFound("no such certificate")
    if old.status is not CertStatus.VALID:
        raise InvalidState(old.status.value, "superseded", [])
    # Same device: a shared IMEI when the old certificate has IMEIs (a serial alone cannot
    # carry a certificate over to another IMEI), else the same serial.
    old_imeis = {i.id_hash for i in old.identifiers if i.purpose == document.IMEI}
    old_other = {i.id_hash for i in old.identifiers if i.purpose != document.IMEI}
    if not (old_imeis & hashes if old_imeis else old_other & hashes):
        raise CertificationRefused([Refusal(
            "CERTIFICATE_FOR_OTHER_DEVICE", "a correction must name the same device", "device")])
    if current is not None and current.id != old.id:
        raise Conflict("another certificate is current for this device",
                       code="device_already_certified", extra={"certificate_id": str(current.id)})
    return old


def _pending(session: Session, request_id: uuid.UUID) -> CertificateRequest:
    req = session.get(CertificateRequest, request_id, with_for_update=True)
    if req is None:
        raise NotFound("no such certificate request")
    if req.status is not RequestStatus.PENDING:
        raise InvalidState(req.status.value, "approved", [])
    return req


def approve(session: Session, actor: User, request_id: uuid.UUID, ring: Keyring) -> WipeCertificate:
    """The named validator approves: the document is signed and appended to the registry."""
    req = _pending(session, request_id)
    if actor.id != req.validator_id:
        raise Forbidden("only the named validator approves this request", code="not_validator")
    if req.org_id is not None:  # still verified when it signs, not only when it was submitted
        require_verified(session, req.org_id, OrgKind.RECYCLER, "certify wipes")
    hashes = set(req.device_hashes)
    old = _check_supersession(session, hashes, req.supersedes_id)
    entry = keys.ensure_signing_key(session, ring)
    now = clock.now(session)
    payload = {**req.payload, "issued_at": document.utc_text(now)}
    envelope = ring.sign(payload).to_dict()
    if envelope["kid"] != entry.kid:  # the ring changed under us; never sign with an unpublished key
        raise Conflict("signing key changed during approval, retry", code="signing_key_changed")
    if old is not None:
        _retire(session, old, CertStatus.SUPERSEDED, f"superseded by {req.certificate_id}", now)
        old.superseded_by_id = req.certificate_id
    cert = _append(session, req, envelope, now)
    req.status, req.decided_at = RequestStatus.APPROVED, now
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("this device already has a current certificate",
                       code="device_already_certified") from None
    # After the flush that can still fail, in the same transaction: an approval that does not
    # commit leaves no record. A retried approval finds the request approved (409).
    credit_events.record_issued(session, cert)
    notify(session, req.technician_id, "certificate_issued", event_key=f"certificate:{cert.id}",
                params={"number": str(cert.id)}, ref_type="certificate", ref_id=cert.id)
    summary.refresh_listings(session, hashes, cert)
    return cert


def _append(session: Session, req: CertificateRequest, envelope: dict, now: datetime) -> WipeCertificate:
    p = envelope["payload"]
    cert = WipeCertificate(
        id=req.certificate_id, kid=envelope["kid"], alg=envelope["alg"], payload=p,
        signature=envelope["signature"], digest=digest(envelope), device_kind=p["device"]["kind"],
        make=p["device"]["make"], model=p["device"]["model"], destination=p["destination"],
        technician_id=req.technician_id, validator_id=req.validator_id, org_id=req.org_id,
        issued_at=now, supersedes_id=req.supersedes_id, status=CertStatus.VALID)
    cert.media = [CertificateMedium(
        position=m["index"], media_type=m["media_type"], interface=m["interface"],
        capacity_bytes=m["capacity_bytes"], level=m["level"], technique=m["technique"],
        serial_hash=(m["serial"] or {}).get("hash"), serial_last4=(m["serial"] or {}).get("last4"),
        tool_name=m["tool"]["name"], tool_version=m["tool"]["version"],
        verification_method=m["verification"]["method"],
        completed_at=datetime.fromisoformat(m["completed_at"])) for m in p["media"]]
    ids = [(i, document.IMEI) for i in p["device"]["imeis"]]
    if p["device"]["serial"]:
        ids.append((p["device"]["serial"], document.SERIAL))
    cert.identifiers = [CertificateIdentifier(id_hash=i["hash"], last4=i["last4"], purpose=purpose)
                        for i, purpose in ids]
    session.add(cert)
    return cert


def _retire(session: Session, cert: WipeCertificate, status: CertStatus, reason: str,
            now: datetime) -> None:
    cert.status, cert.status_reason, cert.status_changed_at = status, reason, now
    # Free the device before the new rows are inserted, so the unique index sees one current row.
    session.execute(update(CertificateIdentifier)
                    .where(CertificateIdentifier.certificate_id == cert.id)
                    .values(current=False).execution_options(synchronize_session="fetch"))
    session.flush()


def reject(session: Session, actor: User, request_id: uuid.UUID, reason: str) -> CertificateRequest:
    """The named validator (or an operator) turns a request down, with a reason."""
    req = _pending(session, request_id)
    if actor.id != req.validator_id and not actor.is_operator:
        raise Forbidden("only the named validator rejects this request", code="not_validator")
    req.status, req.reject_reason, req.decided_at = RequestStatus.REJECTED, reason, clock.now(session)
    session.flush()
    return req


def revoke(session: Session, actor: User, certificate_id: uuid.UUID, reason: str) -> WipeCertificate:
    """Withdraw a certificate (operators only); the device then has no current certificate."""
    if not actor.is_operator:
        raise Forbidden("only operators revoke certificates", code="role_required")
    if not reason or not reason.strip():
        raise ValidationFailed("a revocation needs a reason", fields={"reason": ["Required."]})
    cert = session.get(WipeCertificate, certificate_id, with_for_update=True)
    if cert is None:
        raise NotFound("no such certificate")
    if cert.status is not CertStatus.VALID:
        raise InvalidState(cert.status.value, "revoked", [])
    _retire(session, cert, CertStatus.REVOKED, reason, clock.now(session))
    credit_events.record_revoked(session, cert)
    audit.record(session, actor.id, "certificate.revoke", "wipe_certificate", cert.id,
                 before={"status": "valid"}, after={"status": "revoked"}, reason=reason)
    # Buyers of the device's listings now see "revoked" (and search stops counting it certified).
    summary.refresh_listings(session, {i.id_hash for i in cert.identifiers}, cert)
    session.flush()
    return cert


def can_read(user: User | None, record: WipeCertificate | CertificateRequest) -> bool:
    if user is None:
        return False
    return (user.is_operator or user.id in (record.technician_id, record.validator_id)
            or (record.org_id is not None and record.org_id in user.org_ids()))


def get_certificate(session: Session, actor: User, certificate_id: uuid.UUID) -> WipeCertificate:
    cert = session.get(WipeCertificate, certificate_id)
    if cert is None or not can_read(actor, cert):
        raise NotFound("no such certificate")
    return cert


def get_request(session: Session, actor: User, request_id: uuid.UUID) -> CertificateRequest:
    req = session.get(CertificateRequest, request_id)
    if req is None or not can_read(actor, req):
        raise NotFound("no such certificate request")
    return req
