"""Reimbursement claims: a retailer's redeemed subsidies for one programme and period, with
their evidence (CSV or JSON), moving draft -> submitted -> approved | rejected, approved -> paid."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services import audit, clock, identifiers
from services.accounts.interface import require_verified
from services.accounts.models import OrgKind, User
from services.audit import AuditEntry
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from services.subsidies import evidence, vouchers
from services.subsidies.campaigns import retailer_org, verified_retailer_org
from services.subsidies.catalogue import programme
from services.subsidies.models import (AppliedSubsidy, Claim, ClaimStatus, Reservation,
                                       ReservationStatus)

C = ClaimStatus
# action -> (from, to, who): "retailer" is a member of the claiming organisation.
ACTIONS = {
    "submit": (C.DRAFT, C.SUBMITTED, "retailer"),
    "approve": (C.SUBMITTED, C.APPROVED, "operator"),
    "reject": (C.SUBMITTED, C.REJECTED, "operator"),
    "pay": (C.APPROVED, C.PAID, "operator"),
}
COLUMNS = ["reservation_id", "source", "order_id", "sale_id", "invoice_no", "purchase_date", "region",
           "kind", "brand", "model", "energy_grade", "water_grade", "device", "price_fen", "basis_fen",
           "subsidy_fen", "programme", "rule", "buyer", "old_item_kind", "recycler", "recycling_voucher_no",
           "wipe_certificate_id", "wipe_certificate_status", "status",
           # Appended (existing consumers read the columns above by position):
           "recycling_voucher_status", "recycled_at", "recycling_facility", "recycling_facility_tier",
           "scrap_certificate_no", "vehicle_deregistered_at", "recycling_voucher_conflict"]


def _lines(org_id, programme_id: str, start: dt.date, end: dt.date):
    return (select(AppliedSubsidy, Reservation)
            .join(Reservation, AppliedSubsidy.reservation_id == Reservation.id)
            .where(Reservation.org_id == org_id, AppliedSubsidy.programme_id == programme_id,
                   AppliedSubsidy.campaign_id.is_(None),
                   Reservation.purchase_date >= start, Reservation.purchase_date <= end)
            .order_by(Reservation.purchase_date, Reservation.id))


def _check_period(programme_id: str, start: dt.date, end: dt.date) -> None:
    if programme(programme_id) is None:
        raise ValidationFailed("unknown programme", fields={"programme": ["Unknown programme."]})
    if start > end:
        raise ValidationFailed("bad period", fields={"period_end": ["Must not be before period_start."]})


def create_claim(session: Session, user: User, data: dict) -> Claim:
    """A draft claim (verified retailers only: 403 `organisation_not_verified`) holding every
    redeemed, unclaimed subsidy of the retailer for the programme
    whose purchase date falls in the period. Each subsidy is in at most one live claim."""
    org_id = verified_retailer_org(session, user, data.get("org_id"), "file subsidy claims")
    start, end, pid = data["period_start"], data["period_end"], data["programme"]
    _check_period(pid, start, end)
    claim = Claim(org_id=org_id, created_by=user.id, programme_id=pid, period_start=start,
                  period_end=end, status=C.DRAFT, total_fen=0, items_count=0)
    session.add(claim)
    session.flush()
    eligible = (select(AppliedSubsidy.id)
                .join(Reservation, AppliedSubsidy.reservation_id == Reservation.id)
                .where(Reservation.org_id == org_id, Reservation.status == ReservationStatus.REDEEMED,
                       AppliedSubsidy.programme_id == pid, AppliedSubsidy.campaign_id.is_(None),
                       Reservation.purchase_date >= start, Reservation.purchase_date <= end))
    # One statement with `claim_id IS NULL`: two claims racing for a line cannot both take it.
    session.execute(update(AppliedSubsidy)
                    .where(AppliedSubsidy.id.in_(eligible.scalar_subquery()), AppliedSubsidy.claim_id.is_(None))
                    .values(claim_id=claim.id).execution_options(synchronize_session=False))
    _recount(session, claim)
    if claim.items_count == 0:
        raise Conflict("no redeemed, unclaimed subsidies in that period", code="nothing_to_claim")
    audit.record(session, user.id, "claim.create", "subsidy_claim", claim.id,
                 after={"programme": pid, "items": claim.items_count, "total_fen": claim.total_fen})
    return claim


def _recount(session: Session, claim: Claim) -> None:
    count, total = session.execute(select(func.count(AppliedSubsidy.id), func.coalesce(func.sum(AppliedSubsidy.amount_fen), 0))
                                   .where(AppliedSubsidy.claim_id == claim.id)).one()
    claim.items_count, claim.total_fen = int(count), int(total)
    session.flush()


def detach_from_drafts(session: Session, line_ids: list) -> None:
    """Clawed-back subsidies leave draft claims (a submitted claim keeps them, marked in the export)."""
    rows = session.execute(select(AppliedSubsidy.id, Claim).join(Claim, AppliedSubsidy.claim_id == Claim.id)
                           .where(AppliedSubsidy.id.in_(line_ids), Claim.status == C.DRAFT)).all()
    for line_id, claim in rows:
        session.execute(update(AppliedSubsidy).where(AppliedSubsidy.id == line_id).values(claim_id=None))
        _recount(session, claim)


def _visible(claim: Claim | None, user: User) -> Claim:
    if claim is None or (claim.org_id not in user.org_ids() and not user.is_operator):
        raise NotFound("no such claim")
    return claim


def get_claim(session: Session, user: User, claim_id) -> Claim:
    return _visible(session.get(Claim, claim_id), user)


def list_claims(user: User):
    """A select of the claims the user may see (their organisations'; every claim for operators)."""
    stmt = select(Claim)
    return stmt if user.is_operator else stmt.where(Claim.org_id.in_(list(user.org_ids())))


def transition(session: Session, user: User, claim_id, action: str, reason: str | None = None) -> Claim:
    """Move a claim; a transition the state does not allow is a 409 naming the allowed ones."""
    claim = _visible(session.get(Claim, claim_id, with_for_update=True), user)
    allowed = [a for a, (src, _, _) in ACTIONS.items() if src == claim.status]
    if action not in allowed:
        raise InvalidState(claim.status.value, action, allowed)
    _, target, who = ACTIONS[action]
    if who == "operator" and not user.is_operator:
        raise Forbidden("only the programme's operator decides claims", code="role_required")
    if who == "retailer" and claim.org_id not in user.org_ids():
        raise Forbidden("only the claiming retailer submits", code="not_a_member")
    if who == "retailer":
        require_verified(session, claim.org_id, OrgKind.RETAILER, "file subsidy claims")
    if action == "reject" and not reason:
        raise ValidationFailed("a rejection needs a reason", fields={"reason": ["Required to reject."]})
    before = claim.status.value
    claim.status = target
    now = clock.now(session)
    if action == "submit":
        claim.submitted_at = now
    elif action in ("approve", "reject"):
        claim.decided_at, claim.decision_reason = now, reason
    else:
        claim.paid_at = now
    if action == "reject":  # the subsidies may be claimed again, corrected
        session.execute(update(AppliedSubsidy).where(AppliedSubsidy.claim_id == claim.id).values(claim_id=None))
    session.flush()
    audit.record(session, user.id, f"claim.{action}", "subsidy_claim", claim.id,
                 before={"status": before}, after={"status": claim.status.value}, reason=reason)
    return claim


def trail(session: Session, user: User, claim_id) -> list[AuditEntry]:
    """Every audited change of the claim, oldest first."""
    get_claim(session, user, claim_id)
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "subsidy_claim", AuditEntry.target_id == str(claim_id)).order_by(AuditEntry.at)))


def _wipe_certificate(session: Session, ev: dict, voucher: dict, old_kind: str | None) -> dict | None:
    """The sale's own certificate (recorded id, else the old device's); failing that, when the sale
    names no old device, the certificate of the one electronic item of the old item's kind the
    recycler collected. Several candidates are not guessed between."""
    cert = evidence.wipe_certificate(session, certificate_id=ev.get("wipe_certificate_id"),
                                     old_device_hash=ev.get("old_device_hash"))
    if cert is not None or ev.get("old_device_hash"):
        return cert
    hashes = {i["device_hash"] for i in voucher["electronics"] if old_kind in (None, i["kind"])}
    return evidence.wipe_certificate(session, old_device_hash=hashes.pop()) if len(hashes) == 1 else None


def _row(session: Session, line: AppliedSubsidy, r: Reservation) -> dict:
    ev, purchase = r.evidence or {}, (r.quote_request or {}).get("purchase") or {}
    trade_in = (r.quote_request or {}).get("trade_in") or {}
    voucher = vouchers.voucher_of(session, ev, r.order_id, recycler_name=ev.get("recycler_name"))
    cert = _wipe_certificate(session, ev, voucher, trade_in.get("kind"))
    return {
        "reservation_id": str(r.id), "source": r.source, "order_id": str(r.order_id) if r.order_id else None,
        "sale_id": str(r.sale_id) if r.sale_id else None, "invoice_no": ev.get("invoice_no"),
        "purchase_date": r.purchase_date.isoformat(), "region": r.region_code, "kind": r.kind,
        "brand": ev.get("brand"), "model": ev.get("model"), "energy_grade": purchase.get("energy_grade"),
        "water_grade": purchase.get("water_grade"), "device": identifiers.mask(ev.get("device_last4")),
        "price_fen": purchase.get("price_fen"), "basis_fen": line.basis_fen, "subsidy_fen": line.amount_fen,
        "programme": line.programme_id, "rule": line.rule, "buyer": identifiers.mask(r.buyer_id_last4),
        "old_item_kind": trade_in.get("kind"), "recycler": voucher["recycler"],
        "recycling_voucher_no": voucher["voucher_no"],
        "wipe_certificate_id": cert and cert["id"], "wipe_certificate_status": cert and cert["status"],
        "status": r.status.value,
        "recycling_voucher_status": voucher["status"], "recycled_at": voucher["recycled_at"],
        "recycling_facility": voucher["facility"], "recycling_facility_tier": voucher["facility_tier"],
        "scrap_certificate_no": voucher["scrap_certificate_no"], "vehicle_deregistered_at": voucher["deregistered_at"],
        "recycling_voucher_conflict": vouchers.conflict(session, r, voucher, trade_in.get("kind")),
    }


def claim_rows(session: Session, user: User, claim_id) -> list[dict]:
    """The claim's lines with evidence: what a retailer files, so only a verified one exports."""
    claim = get_claim(session, user, claim_id)
    if not user.is_operator:
        require_verified(session, claim.org_id, OrgKind.RETAILER, "file subsidy claims")
    stmt = (select(AppliedSubsidy, Reservation).join(Reservation, AppliedSubsidy.reservation_id == Reservation.id)
            .where(AppliedSubsidy.claim_id == claim.id).order_by(Reservation.purchase_date, Reservation.id))
    return [_row(session, a, r) for a, r in session.execute(stmt)]


def evidence_rows(session: Session, user: User, programme_id: str, start: dt.date, end: dt.date,
                  org_id=None) -> list[dict]:
    """The retailer's redeemed subsidies of a programme and period, with evidence (claimed or not)."""
    org = retailer_org(user, org_id)
    _check_period(programme_id, start, end)
    stmt = _lines(org, programme_id, start, end).where(Reservation.status == ReservationStatus.REDEEMED)
    return [_row(session, a, r) for a, r in session.execute(stmt)]
