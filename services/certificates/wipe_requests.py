"""A consumer asks a recycler to wipe and certify a device (dropped off, or collected with a
pickup) and follows the request to its certificate.

requested -> accepted -> certified, or declined (by the recycler, with a reason) or cancelled
(by the consumer, before it is certified). Every move is one conditional UPDATE on the current
status, so two staff members fulfilling at once cannot both win.

The recycler's side goes through `require_certifying_recycler`: the one place to add a check on
the organisation (e.g. that an operator verified it) for taking and fulfilling wipe requests.
"""
from __future__ import annotations

import uuid
from typing import Any, Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services import clock, identifiers, pagination, pickups
from services.identifiers import IdHasher
from services.accounts.interface import require_verified
from services.accounts.models import Organization, OrgKind, Role, User
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed

from . import document
from .models import CertificateIdentifier, CertStatus, WipeCertificate, WipeRequest
from .models import WipeRequestStatus as S

MODES = ("drop_off", "pickup")
# Which moves each side may make, from which states.
RECYCLER_MOVES = {"accept": ((S.REQUESTED,), S.ACCEPTED), "decline": ((S.REQUESTED, S.ACCEPTED), S.DECLINED)}
OPEN = (S.REQUESTED, S.ACCEPTED)


def require_certifying_recycler(session: Session, org: Organization | None,
                                field: str = "recycler_org_id") -> Organization:
    """The organisation may take and fulfil wipe requests: it exists, is a recycler, and an
    operator verified it (403 `organisation_not_verified` otherwise)."""
    if org is None or org.kind != OrgKind.RECYCLER:
        raise ValidationFailed("not a recycler", fields={field: ["No such recycler organisation."]})
    return require_verified(session, org.id, OrgKind.RECYCLER, "take data-wipe requests")


def _identifiers(hasher: IdHasher, device: Mapping[str, Any]) -> dict:
    imei, serial = device.get("imei"), device.get("serial")
    if not imei and not serial:
        raise ValidationFailed("the device needs its IMEI or serial number",
                               fields={"device.imei": ["Give the IMEI or the serial number."]})
    out: dict[str, Any] = {"device_hash": None, "device_last4": None, "serial_hash": None,
                           "serial_last4": None}
    if imei:
        value = identifiers.normalise(imei)
        if not identifiers.imei_ok(value):
            raise ValidationFailed("invalid IMEI", fields={"device.imei": ["15 digits with a valid check digit."]})
        h = document.hashed(hasher, value, document.IMEI)
        out.update(device_hash=h["hash"], device_last4=h["last4"])
    if serial:
        h = document.hashed(hasher, serial, document.SERIAL)
        out.update(serial_hash=h["hash"], serial_last4=h["last4"])
    return out


def create(session: Session, consumer: User, data: Mapping[str, Any]) -> WipeRequest:
    """A consumer's request to a recycler: `mode` drop_off, or pickup with `pickup_id` (the
    consumer's own booking with that recycler). Raises 422 naming the field otherwise."""
    if consumer.role != Role.CONSUMER:
        raise Forbidden("consumers ask for wipes of their own devices", code="role_required")
    org = require_certifying_recycler(session, session.get(Organization, data["recycler_org_id"]))
    pickup_id = data.get("pickup_id")
    if data["mode"] == "pickup":
        parties = pickups.booking_parties(session, pickup_id) if pickup_id else None
        if parties is None or parties[0] != consumer.id:
            raise ValidationFailed("no such pickup", fields={"pickup_id": ["Your pickup booking is needed."]})
        if parties[1] != org.id:
            raise ValidationFailed("another recycler collects this pickup",
                                   fields={"pickup_id": ["The pickup must be with this recycler."]})
    elif pickup_id:
        raise ValidationFailed("a drop-off has no pickup", fields={"pickup_id": ["Only with mode pickup."]})
    device = data["device"]
    req = WipeRequest(id=uuid.uuid4(), consumer_id=consumer.id, recycler_org_id=org.id,
                      mode=data["mode"], pickup_id=pickup_id if data["mode"] == "pickup" else None,
                      device_kind=device["kind"], make=device["make"], model=device["model"],
                      note=data.get("note") or "", status=S.REQUESTED, **_identifiers(identifiers.hasher(session), device))
    session.add(req)
    session.flush()
    return req


def _can_see(user: User, req: WipeRequest) -> bool:
    return user.is_operator or user.id == req.consumer_id or req.recycler_org_id in user.org_ids()


def get(session: Session, user: User, request_id) -> WipeRequest:
    req = session.get(WipeRequest, request_id)
    if req is None or not _can_see(user, req):
        raise NotFound("no such wipe request")
    return req


def browse(session: Session, user: User, *, cursor: str | None, limit: int,
           status: S | None = None):
    """The consumer's own requests; a recycler's staff see their organisation's queue."""
    stmt = select(WipeRequest)
    if not user.is_operator:
        stmt = stmt.where(or_(WipeRequest.consumer_id == user.id,
                              WipeRequest.recycler_org_id.in_(user.org_ids() or {uuid.UUID(int=0)})))
    if status is not None:
        stmt = stmt.where(WipeRequest.status == status)
    return pagination.page(session, stmt, WipeRequest, cursor, limit)


def _move(session: Session, req: WipeRequest, allowed: tuple, to: S, **values) -> WipeRequest:
    res = session.execute(update(WipeRequest).where(WipeRequest.id == req.id,
                                                    WipeRequest.status.in_(allowed))
                          .values(status=to, updated_at=clock.now(session), **values)
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        session.refresh(req)
        raise InvalidState(req.status.value, to.value, [s.value for s in allowed])
    session.refresh(req)
    return req


def _recycler_staff(session: Session, user: User, req: WipeRequest) -> None:
    if not _can_see(user, req):
        raise NotFound("no such wipe request")
    if not (user.role == Role.RECYCLER and req.recycler_org_id in user.org_ids()):
        raise Forbidden("only the recycler's staff answer this request", code="not_recycler_staff")
    require_certifying_recycler(session, session.get(Organization, req.recycler_org_id))


def answer(session: Session, user: User, request_id, action: str, reason: str | None = None) -> WipeRequest:
    """The recycler's staff accept or decline (with a reason) a request."""
    req = get(session, user, request_id)
    _recycler_staff(session, user, req)
    if action == "decline" and not (reason or "").strip():
        raise ValidationFailed("a decline needs a reason", fields={"reason": ["Required when declining."]})
    allowed, to = RECYCLER_MOVES[action]
    return _move(session, req, allowed, to, decline_reason=reason if action == "decline" else None)


def cancel(session: Session, user: User, request_id) -> WipeRequest:
    """The consumer withdraws a request that is not yet certified."""
    req = get(session, user, request_id)
    if user.id != req.consumer_id:
        raise Forbidden("only the consumer cancels their request", code="not_requester")
    return _move(session, req, OPEN, S.CANCELLED)


def fulfil(session: Session, user: User, request_id, certificate_id) -> WipeRequest:
    """The recycler's staff attach the device's certificate: it must be valid, current, issued by
    their organisation and name the requested device. The request is then `certified` and the
    consumer follows it to the certificate."""
    req = get(session, user, request_id)
    _recycler_staff(session, user, req)
    cert = session.get(WipeCertificate, certificate_id)
    if cert is None or cert.org_id != req.recycler_org_id:
        raise ValidationFailed("not this recycler's certificate",
                               fields={"certificate_id": ["No certificate of this recycler has this id."]})
    if cert.status is not CertStatus.VALID:
        raise Conflict(f"the certificate is {cert.status.value}", code="certificate_not_valid")
    hashes = {h for h in (req.device_hash, req.serial_hash) if h}
    names_device = session.scalar(select(CertificateIdentifier.id).where(
        CertificateIdentifier.certificate_id == cert.id, CertificateIdentifier.current.is_(True),
        CertificateIdentifier.id_hash.in_(hashes)).limit(1))
    if names_device is None:
        raise ValidationFailed("the certificate names another device",
                               fields={"certificate_id": ["This certificate is not for the requested device."]})
    if req.status is not S.ACCEPTED:
        raise InvalidState(req.status.value, S.CERTIFIED.value, [S.ACCEPTED.value])
    return _move(session, req, (S.ACCEPTED,), S.CERTIFIED, certificate_id=cert.id)
