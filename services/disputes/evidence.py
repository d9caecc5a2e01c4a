"""Evidence and the seller's answer in a buyer's dispute.

Within the evidence window both sides put statements and photos (EXIF removed) before the
operator; nothing is edited or deleted. Within the response window the seller answers once:
accept_refund (the buyer gets everything back at once), offer_partial_refund (the buyer may take
it, which settles the dispute, or wait for the operator) or contest (the operator decides). The
operator decides with the evidence and the answer in view (disputes.service.resolve). Every step
is audited; the money moves through disputes.service.settle, which also feeds the credit domain."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.models import User
from services.disputes import service as disputes
from services.disputes.models import Dispute, DisputeEvidence, DisputeKind, DisputeStatus, EvidenceKind, Outcome
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings.interface import sanitise_photo
from services.orders import interface as orders
from services.orders.models import Order
from services.payments.interface import PaymentGateway
from services.storage import Storage, put_on_commit

RESPONSES = ("accept_refund", "offer_partial_refund", "contest")


@dataclass(frozen=True)
class DisputeSettings:
    evidence_days: int = 5      # both sides may add evidence this long after the dispute opens
    response_days: int = 3      # the seller answers within this long


def deadlines(dispute: Dispute, settings: DisputeSettings) -> dict[str, datetime]:
    return {"evidence_due_at": dispute.created_at + timedelta(days=settings.evidence_days),
            "response_due_at": dispute.created_at + timedelta(days=settings.response_days)}


def _party(session: Session, user: User, dispute_id, *, lock: bool = False) -> tuple[Dispute, str]:
    stmt = select(Dispute).where(Dispute.id == dispute_id)
    dispute = session.scalar(stmt.with_for_update() if lock else stmt)
    if dispute is None:
        raise NotFound("no such dispute")
    side = orders.side(user, session.get(Order, dispute.order_id))
    return dispute, side


def _open_for_evidence(dispute: Dispute, settings: DisputeSettings, now) -> None:
    if dispute.kind is not DisputeKind.PLATFORM or dispute.status is not DisputeStatus.OPEN:
        raise Conflict("evidence is taken only while a buyer's dispute is open", code="dispute_not_open")
    if now > deadlines(dispute, settings)["evidence_due_at"]:
        raise Conflict("the evidence window has closed", code="evidence_window_closed")


def add_statement(session: Session, user: User, dispute_id, text: str, settings: DisputeSettings) -> DisputeEvidence:
    """A written statement from the buyer or the seller side."""
    dispute, side = _party(session, user, dispute_id)
    if side == "operator":
        raise Forbidden("operators decide; the buyer and the seller give evidence", code="not_a_party")
    _open_for_evidence(dispute, settings, clock.now(session))
    if not text.strip():
        raise ValidationFailed("empty statement", fields={"text": ["Write your statement."]})
    row = DisputeEvidence(id=uuid.uuid4(), dispute_id=dispute.id, author_id=user.id, side=side,
                          kind=EvidenceKind.STATEMENT, text=text, created_at=clock.now(session))
    session.add(row)
    audit.record(session, user.id, "dispute.evidence", "dispute", dispute.id, after={"kind": "statement", "side": side})
    session.flush()
    return row


def add_photo(session: Session, storage: Storage, user: User, dispute_id, data: bytes,
              settings: DisputeSettings) -> DisputeEvidence:
    """A photo (JPEG, PNG or WebP, EXIF removed) from the buyer or the seller side."""
    dispute, side = _party(session, user, dispute_id)
    if side == "operator":
        raise Forbidden("operators decide; the buyer and the seller give evidence", code="not_a_party")
    _open_for_evidence(dispute, settings, clock.now(session))
    clean, content_type, _, _ = sanitise_photo(data)
    row = DisputeEvidence(id=uuid.uuid4(), dispute_id=dispute.id, author_id=user.id, side=side,
                          kind=EvidenceKind.PHOTO, photo_type=content_type, created_at=clock.now(session))
    row.photo_key = f"disputes/{dispute.id}/{row.id}"
    session.add(row)
    audit.record(session, user.id, "dispute.evidence", "dispute", dispute.id, after={"kind": "photo", "side": side})
    session.flush()
    put_on_commit(session, storage, row.photo_key, clean, content_type)
    return row


def listed(session: Session, viewer: User, dispute_id) -> list[DisputeEvidence]:
    """Both sides' evidence, oldest first, for the two sides and operators only."""
    dispute, _ = _party(session, viewer, dispute_id)
    return list(session.scalars(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)
                                .order_by(DisputeEvidence.created_at, DisputeEvidence.id)))


def photo(session: Session, viewer: User, evidence_id) -> DisputeEvidence:
    row = session.get(DisputeEvidence, evidence_id)
    if row is None or row.kind is not EvidenceKind.PHOTO:
        raise NotFound("no such photo")
    _party(session, viewer, row.dispute_id)
    return row


def respond(session: Session, user: User, dispute_id, *, action: str, amount_fen: int | None, statement: str,
            settings: DisputeSettings, gateway: PaymentGateway) -> Dispute:
    """The seller's one answer, within the response window."""
    dispute, side = _party(session, user, dispute_id, lock=True)
    if side != "seller":
        raise Forbidden("only the seller answers a dispute", code="not_your_step")
    if dispute.kind is not DisputeKind.PLATFORM or dispute.status is not DisputeStatus.OPEN:
        raise Conflict("the dispute is not open", code="dispute_not_open")
    if dispute.seller_response is not None:
        raise Conflict("the seller has already answered", code="dispute_answered")
    if clock.now(session) > deadlines(dispute, settings)["response_due_at"]:
        raise Conflict("the response window has closed; the operator decides", code="response_window_closed")
    if action not in RESPONSES:
        raise ValidationFailed("unknown action", fields={"action": [f"One of {', '.join(RESPONSES)}."]})
    if action == "offer_partial_refund" and amount_fen is None:
        raise ValidationFailed("amount missing", fields={"amount_fen": ["Say how much you offer back."]})
    dispute.seller_response, dispute.seller_responded_at = action, clock.now(session)
    dispute.seller_offer_fen = amount_fen if action == "offer_partial_refund" else None
    if statement.strip():
        session.add(DisputeEvidence(id=uuid.uuid4(), dispute_id=dispute.id, author_id=user.id, side="seller",
                                    kind=EvidenceKind.STATEMENT, text=statement, created_at=clock.now(session)))
    audit.record(session, user.id, f"dispute.respond_{action}", "dispute", dispute.id,
                 after={"offer_fen": dispute.seller_offer_fen})
    if action == "accept_refund":
        return disputes.settle(session, dispute, Outcome.REFUND, None, note="the seller accepted a full refund",
                               actor_id=user.id, gateway=gateway)
    if action == "offer_partial_refund":
        _check_offer(session, dispute, amount_fen)
    session.flush()
    return dispute


def _check_offer(session: Session, dispute: Dispute, amount_fen: int) -> None:
    order = session.get(Order, dispute.order_id)
    if not 0 < amount_fen < order.payable_fen:
        raise ValidationFailed("offer out of range",
                               fields={"amount_fen": [f"Between 1 and {order.payable_fen - 1} fen."]})


def accept_offer(session: Session, user: User, dispute_id, *, gateway: PaymentGateway) -> Dispute:
    """The buyer takes the seller's partial refund: the dispute is settled with it."""
    dispute, side = _party(session, user, dispute_id)
    if side != "buyer":
        raise Forbidden("only the buyer accepts the seller's offer", code="not_your_step")
    dispute = disputes.lock_open(session, dispute.id)
    if dispute.seller_response != "offer_partial_refund" or dispute.seller_offer_fen is None:
        raise Conflict("the seller has made no offer", code="no_offer")
    return disputes.settle(session, dispute, Outcome.PARTIAL_REFUND, dispute.seller_offer_fen,
                           note="the buyer accepted the seller's partial refund", actor_id=user.id, gateway=gateway)
