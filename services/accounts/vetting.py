"""Vetting organisations: an operator checks the unified social credit code (统一社会信用代码) and,
for recyclers, the recycling registration number before the organisation may act on the trust
the platform gives (certifying wipes, taking pickups, subsidised sales, claims).

status: unverified -> pending (the owner submits) -> verified | rejected (an operator decides,
audited); rejected -> pending (resubmitted); verified -> rejected (an operator withdraws it)."""
from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock, identifiers
from services.accounts.membership import require_owner
from services.accounts.models import Organization, OrgKind, OrgStatus, User
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed

TRANSITIONS = {
    OrgStatus.UNVERIFIED: {OrgStatus.PENDING},
    OrgStatus.PENDING: {OrgStatus.VERIFIED, OrgStatus.REJECTED},
    OrgStatus.REJECTED: {OrgStatus.PENDING},
    OrgStatus.VERIFIED: {OrgStatus.REJECTED},
}
# Recycling registration numbers (再生资源回收经营者备案 / 处理资格证书) are issued by provinces in
# several formats; we check their shape only, the operator checks them against the register.
_REG_NO = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff()（）〔〕\[\]\-/]{4,64}$")


def _locked(session: Session, org_id) -> Organization:
    org = session.get(Organization, org_id, with_for_update=True, populate_existing=True)
    if org is None:
        raise NotFound("no such organisation")
    return org


def _check(kind: OrgKind, uscc: str, reg_no: str | None) -> tuple[str, str | None]:
    errors: dict[str, list[str]] = {}
    code = identifiers.normalise(uscc or "")
    if not identifiers.uscc_ok(code):
        errors["uscc"] = ["Not a valid 18-character unified social credit code (GB 32100 check character)."]
    reg = (reg_no or "").strip() or None
    if kind == OrgKind.RECYCLER and reg is None:
        errors["recycling_reg_no"] = ["Required for recyclers."]
    elif reg is not None and not _REG_NO.match(reg):
        errors["recycling_reg_no"] = ["4 to 64 letters, digits, hyphens or brackets."]
    if errors:
        raise ValidationFailed("invalid organisation registration", fields=errors)
    return code, reg


def submit(session: Session, actor: User, org_id, *, uscc: str, recycling_reg_no: str | None = None) -> Organization:
    """The owner submits the organisation's codes: it becomes `pending` (still unverified for
    every privilege) until an operator decides. 422 naming the field for a malformed code."""
    require_owner(actor, org_id)
    org = _locked(session, org_id)
    code, reg = _check(org.kind, uscc, recycling_reg_no)
    if OrgStatus.PENDING not in TRANSITIONS[org.verification_status]:
        raise InvalidState(org.verification_status.value, OrgStatus.PENDING.value,
                           [s.value for s in TRANSITIONS[org.verification_status]])
    before = {"verification_status": org.verification_status.value}
    org.uscc, org.recycling_reg_no = code, reg
    org.verification_status, org.verification_reason = OrgStatus.PENDING, None
    audit.record(session, actor.id, "organization.verification_submitted", "organization", org.id,
                 before=before, after={"verification_status": "pending", "uscc": code, "recycling_reg_no": reg})
    session.flush()
    return org


def review(session: Session, operator: User, org_id, decision: OrgStatus, reason: str | None = None) -> Organization:
    """An operator verifies or rejects a pending organisation, or withdraws a verification.
    A rejection needs a reason; the decision is in the audit log. A code already verified for
    another organisation of the same kind is a 409 `uscc_in_use`."""
    if not operator.is_operator:
        raise Forbidden("only operators vet organisations", code="role_required")
    org = _locked(session, org_id)
    if decision not in TRANSITIONS[org.verification_status] or decision == OrgStatus.PENDING:
        raise InvalidState(org.verification_status.value, decision.value,
                           [s.value for s in TRANSITIONS[org.verification_status] if s != OrgStatus.PENDING])
    if decision == OrgStatus.REJECTED and not reason:
        raise ValidationFailed("a rejection needs a reason", fields={"reason": ["Required when rejecting."]})
    if decision == OrgStatus.VERIFIED:
        taken = session.scalar(select(Organization.id).where(
            Organization.uscc == org.uscc, Organization.kind == org.kind, Organization.id != org.id,
            Organization.verification_status == OrgStatus.VERIFIED))
        if taken:
            raise Conflict("this credit code is verified for another organisation", code="uscc_in_use")
    before = {"verification_status": org.verification_status.value}
    org.verification_status, org.verification_reason = decision, reason
    org.verified_at = clock.now(session) if decision == OrgStatus.VERIFIED else None
    audit.record(session, operator.id, f"organization.{decision.value}", "organization", org.id, before=before,
                 after={"verification_status": decision.value, "uscc": org.uscc,
                        "recycling_reg_no": org.recycling_reg_no}, reason=reason)
    session.flush()
    return org


def record_verified(session: Session, org: Organization, *, uscc: str, recycling_reg_no: str | None = None,
                    reason: str) -> Organization:
    """Mark an organisation verified without an operator (the demo seed and test factories);
    the codes are checked as in `submit` and the audit log says why."""
    code, reg = _check(org.kind, uscc, recycling_reg_no)
    org.uscc, org.recycling_reg_no = code, reg
    org.verification_status, org.verified_at = OrgStatus.VERIFIED, clock.now(session)
    audit.record(session, None, "organization.verified", "organization", org.id,
                 after={"verification_status": "verified", "uscc": code, "recycling_reg_no": reg}, reason=reason)
    session.flush()
    return org


def queue(status: OrgStatus):
    """A select of organisations in one vetting state, for operators' pagination."""
    return select(Organization).where(Organization.verification_status == status)


def is_verified(session: Session, org_id, kind: OrgKind) -> bool:
    org = session.get(Organization, org_id) if org_id else None
    return org is not None and org.kind == kind and org.verification_status == OrgStatus.VERIFIED


def require_verified(session: Session, org_id: uuid.UUID | None, kind: OrgKind, doing: str) -> Organization:
    """The organisation, when it is a verified organisation of `kind`; else 403
    `organisation_not_verified` (or `organisation_kind_not_allowed`) saying what it may not do."""
    org = session.get(Organization, org_id) if org_id else None
    if org is None or org.kind != kind:
        raise Forbidden(f"only a verified {kind.value} may {doing}", code="organisation_kind_not_allowed",
                        extra={"required_kind": kind.value})
    if org.verification_status != OrgStatus.VERIFIED:
        raise Forbidden(f"only a verified {kind.value} may {doing}; this organisation is "
                        f"{org.verification_status.value}", code="organisation_not_verified",
                        extra={"org_id": str(org.id), "verification_status": org.verification_status.value})
    return org


def verified_ids(kind: OrgKind):
    """A select of verified organisations' ids of one kind (to filter queries by)."""
    return select(Organization.id).where(Organization.kind == kind,
                                         Organization.verification_status == OrgStatus.VERIFIED)
