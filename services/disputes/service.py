"""Disputes. A buyer opens one within the acceptance window (not received, not as described):
capture and payout freeze until an operator resolves it with a release, a full refund or a
partial refund. Card chargebacks arrive from Stripe and are decided by the issuer. Every step is
audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, deps, pagination
from services.accounts.models import User
from services.credit.interface import record_event
from services.disputes.models import Dispute, DisputeKind, DisputeReason, DisputeStatus, Outcome
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings import interface as listings
from services.listings.models import Listing, Status as ListingStatus
from services.notifications.interface import notify
from services.orders import interface as orders
from services.orders.models import Order, OrderStatus as S
from services.payments import interface as payments
from services.payments.interface import PaymentGateway
from services.payments.models import PaymentStatus

OPENABLE = (S.PAID_HELD, S.HANDED_OVER)


def _credit(session: Session, subject_id, kind: str, dispute: Dispute) -> None:
    record_event(session, subject_id, kind, ref_type="dispute", ref_id=dispute.id,
                 detail={"order_id": str(dispute.order_id), "kind": dispute.kind.value},
                 occurred_at=clock.now(session))


def _audit(session: Session, actor_id, action: str, dispute: Dispute, before=None, reason=None) -> None:
    audit.record(session, actor_id, f"dispute.{action}", "dispute", dispute.id, before=before,
                 after={"status": dispute.status.value, "order_id": str(dispute.order_id),
                        "outcome": dispute.outcome.value if dispute.outcome else None,
                        "refund_fen": dispute.refund_fen}, reason=reason)


def open_dispute(session: Session, buyer: User, order_id, *, reason: str, description: str = "") -> Dispute:
    """The buyer complains before the money is captured and within the acceptance window (409
    `dispute_window_closed`) and, for a delivered shipped order, within the return window of its
    delivery (409 `return_window_closed` with `return_deadline`); capture and payout are frozen
    from now on. One dispute per order."""
    order = orders.lock(session, order_id)
    if orders.side(buyer, order) != "buyer":
        raise Forbidden("only the buyer opens a dispute", code="not_your_step")
    if order.status not in OPENABLE:
        raise Conflict(f"a dispute can be opened while the order is {' or '.join(s.value for s in OPENABLE)},"
                       f" not {order.status.value}", code="dispute_not_allowed")
    # A shipped order's buyer asks for a return (this dispute) within the return window of its
    # delivery: checked first, so the answer names the deadline the order showed.
    orders.check_return_window(orders.return_ask_deadline(order, deps.of(session).buying.return_window),
                               clock.now(session), "a return is asked for")
    if order.accept_by is not None and clock.now(session) > order.accept_by:
        raise Conflict("the acceptance window has closed", code="dispute_window_closed")
    dispute = Dispute(order_id=order.id, kind=DisputeKind.PLATFORM, reason=DisputeReason(reason),
                      description=description or "", opened_by=buyer.id, status=DisputeStatus.OPEN, refund_fen=0)
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("this order already had its dispute", code="dispute_exists") from None
    orders.move(session, order, S.DISPUTED, action="dispute", actor_id=buyer.id, reason=reason)
    _audit(session, buyer.id, "open", dispute, reason=description or reason)
    _credit(session, order.seller_id, "dispute_opened", dispute)
    notify(session, order.seller_id, "dispute_opened", event_key=f"dispute:{dispute.id}",
                params={"title": order.listing.title, "reason": dispute.reason.value}, ref_type="order", ref_id=order.id)
    session.flush()
    return dispute


def get(session: Session, dispute_id, viewer: User) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("no such dispute")
    orders.side(viewer, session.get(Order, dispute.order_id))
    return dispute


def list_for(session: Session, viewer: User, *, status: DisputeStatus | None, cursor, limit):
    """Operators see every dispute (the queue); buyers and sellers see their orders' disputes."""
    stmt = select(Dispute)
    if not viewer.is_operator:
        mine = select(Order.id).where((Order.buyer_id == viewer.id) | (Order.seller_id == viewer.id) |
                                      (Order.seller_org_id.in_(list(viewer.org_ids()))))
        stmt = stmt.where(Dispute.order_id.in_(mine))
    if status:
        stmt = stmt.where(Dispute.status == status)
    return pagination.page(session, stmt, Dispute, cursor, limit)


def resolve(session: Session, operator: User, dispute_id, *, outcome: str, amount_fen: int | None,
            note: str, gateway: PaymentGateway) -> Dispute:
    """An operator decides a buyer's dispute. release: the held money is captured and the seller
    paid. refund: the hold is released (or the capture refunded) and the listing goes back on sale.
    partial_refund: the buyer gets `amount_fen` back (by capturing only the rest). The decision
    is kept at once; a card capture, release or refund it asks for is made after commit (the
    order shows `disputed` until Stripe confirmed a capture) and the reconciliation job finishes
    one a Stripe outage delayed."""
    if not operator.is_operator:
        raise Forbidden("only operators resolve disputes")
    dispute = lock_open(session, dispute_id)
    if outcome == Outcome.RETURN.value:
        return settle_return(session, dispute, note=note, actor_id=operator.id)
    return settle(session, dispute, Outcome(outcome), amount_fen, note=note, actor_id=operator.id, gateway=gateway)


def dispute_open(session: Session, order_id) -> bool:
    """True while a dispute of the order (platform or chargeback) is open: its payout waits."""
    return session.scalar(select(Dispute.id).where(Dispute.order_id == order_id,
                                                   Dispute.status == DisputeStatus.OPEN)) is not None


def lock_open(session: Session, dispute_id) -> Dispute:
    """The open platform dispute, locked; Conflict when it is a chargeback or already resolved."""
    dispute = session.scalar(select(Dispute).where(Dispute.id == dispute_id).with_for_update())
    if dispute is None:
        raise NotFound("no such dispute")
    if dispute.kind != DisputeKind.PLATFORM:
        raise Conflict("chargebacks are decided by the card issuer", code="chargeback")
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict("the dispute is already resolved", code="dispute_resolved")
    return dispute


def settle(session: Session, dispute: Dispute, result: Outcome, amount_fen: int | None, *, note: str,
           actor_id, gateway: PaymentGateway) -> Dispute:
    """Move the money of a locked open dispute by `result` (an operator's decision, or one side
    accepting the other's proposal), audited, with the credit events of winner and loser."""
    order = orders.lock(session, dispute.order_id)
    pay = payments.payment_for(session, order, lock=True)
    held = pay.authorised_fen or order.payable_fen
    if result == Outcome.PARTIAL_REFUND and (amount_fen is None or not 0 < amount_fen < held):
        raise ValidationFailed("partial refund out of range", fields={"amount_fen": [f"Between 1 and {held - 1} fen."]})
    before = {"status": dispute.status.value}
    dispute.status, dispute.outcome = DisputeStatus.RESOLVED, result
    dispute.refund_fen = {Outcome.RELEASE: 0, Outcome.REFUND: held}.get(result, amount_fen or 0)
    dispute.resolution_note, dispute.resolved_by, dispute.resolved_at = note, actor_id, clock.now(session)
    session.flush()  # the payout check below must see the dispute closed
    if result == Outcome.REFUND:
        _refund_all(session, order, pay, gateway, actor_id, note)
    else:
        action = f"resolve_{result.value}"
        if payments.escrowed(pay) and dispute.refund_fen:
            # Collected at payment (escrow): the buyer's part goes back as a refund; the seller's
            # payout waits for it to be confirmed (payments.settle_payout).
            orders.refund_money(session, order, pay, gateway, dispute.refund_fen, actor_id=actor_id, reason=note,
                                audit_reason=note)
        # A card capture is made after commit; its applied answer completes the order as this
        # decision (services.flows.settlement). Cash and store credit complete now.
        if payments.capture(session, order, pay, held - dispute.refund_fen,
                            then={"action": action, "actor_id": str(actor_id) if actor_id else None}):
            orders.complete(session, order, gateway, actor_id=actor_id, action=action)
    _audit(session, actor_id, "resolve", dispute, before=before, reason=note)
    winner, loser = ((order.seller_id, order.buyer_id) if result == Outcome.RELEASE
                     else (order.buyer_id, order.seller_id))
    _credit(session, winner, "dispute_won", dispute)
    _credit(session, loser, "dispute_lost", dispute)
    if loser == order.seller_id and dispute.reason == DisputeReason.NOT_RECEIVED:
        _credit(session, loser, "order_not_shipped", dispute)  # paid for and never handed over
    session.flush()
    return dispute


def settle_return(session: Session, dispute: Dispute, *, note: str, actor_id) -> Dispute:
    """Decide a locked open dispute as `return`: the buyer wins and is owed everything held
    (`refund_fen`), but no money moves yet. The order stays `disputed` (capture and payout frozen)
    until the buyer's return parcel is delivered to the seller (shipping calls
    `refund_returned`). Audited, with the credit events of winner and loser."""
    order = orders.lock(session, dispute.order_id)
    pay = payments.payment_for(session, order, lock=True)
    before = {"status": dispute.status.value}
    dispute.status, dispute.outcome = DisputeStatus.RESOLVED, Outcome.RETURN
    dispute.refund_fen = pay.authorised_fen or order.payable_fen
    dispute.resolution_note, dispute.resolved_by, dispute.resolved_at = note, actor_id, clock.now(session)
    session.flush()
    _audit(session, actor_id, "resolve", dispute, before=before, reason=note)
    _credit(session, order.buyer_id, "dispute_won", dispute)
    _credit(session, order.seller_id, "dispute_lost", dispute)
    session.flush()
    return dispute


def return_decided(session: Session, order_id, *, lapsed: bool = False) -> Dispute | None:
    """The order's platform dispute when it was resolved as `return` (None otherwise); with
    `lapsed`, also when that return lapsed (`return_lapsed`: never sent in time, the seller paid)."""
    outcomes = (Outcome.RETURN, Outcome.RETURN_LAPSED) if lapsed else (Outcome.RETURN,)
    return session.scalar(select(Dispute).where(Dispute.order_id == order_id, Dispute.kind == DisputeKind.PLATFORM,
                                                Dispute.status == DisputeStatus.RESOLVED,
                                                Dispute.outcome.in_(outcomes)))


def release_lapsed(session: Session, order: Order, dispute: Dispute, *, note: str, gateway: PaymentGateway) -> None:
    """The buyer let an agreed return lapse: the locked order, still `disputed` after the `return`
    decision `dispute`, releases the held money to the seller exactly as an operator's `release`
    would (the held amount captured: a card capture as a payment operation after commit whose
    applied answer completes the order as `return_lapsed`; cash, store credit and escrowed money
    complete it now). The dispute becomes `return_lapsed` with refund_fen 0 and `note` (the
    operator's note stays in the audit entry's `before`). The caller holds the order's lock and
    has checked the window (services/shipping/returns.py `lapse`)."""
    pay = payments.payment_for(session, order, lock=True)
    held = pay.authorised_fen or order.payable_fen
    before = {"status": dispute.status.value, "outcome": dispute.outcome.value, "refund_fen": dispute.refund_fen,
              "resolution_note": dispute.resolution_note}
    dispute.outcome, dispute.refund_fen, dispute.resolution_note = Outcome.RETURN_LAPSED, 0, note[:1000]
    session.flush()
    if payments.capture(session, order, pay, held, then={"action": "return_lapsed", "actor_id": None}):
        orders.complete(session, order, gateway, action="return_lapsed")
    _audit(session, None, "return_lapsed", dispute, before=before, reason=note)
    session.flush()


def refund_returned(session: Session, order: Order, *, gateway: PaymentGateway, actor_id=None) -> bool:
    """The returned item reached the seller: the locked order, still `disputed` after a `return`
    decision, is refunded in full through the dispute refund path (a card hold released or a
    capture refunded after commit, as a payment operation; subsidy and store credit given back;
    the listing on sale again). False, changing nothing, when there is no such decision or the
    order was already refunded: a second delivery report refunds nothing twice."""
    if order.status != S.DISPUTED or return_decided(session, order.id) is None:
        return False
    pay = payments.payment_for(session, order, lock=True)
    _refund_all(session, order, pay, gateway, actor_id, "the returned item was delivered to the seller")
    session.flush()
    return True


def _refund_all(session: Session, order: Order, pay, gateway: PaymentGateway, actor_id, note: str) -> None:
    if pay.status == PaymentStatus.CAPTURED:
        left = pay.captured_fen - pay.refunded_fen - payments.refund_pending_fen(session, pay)
        orders.refund_money(session, order, pay, gateway, left, actor_id=actor_id, reason=note, audit_reason=note)
        return
    payments.void(session, order, pay)   # a card hold is released after commit
    order.refunded_fen = order.payable_fen
    orders.move(session, order, S.REFUNDED, action="resolve_refund", actor_id=actor_id, reason=note)
    orders.subsidy_release(session, order)
    orders.store_credit_refund(session, order)
    # Nothing was sold: the item goes back on sale.
    listing = session.get(Listing, order.listing_id)
    if listing.status == ListingStatus.RESERVED:
        listings.release(session, order.listing_id)


# ---- card chargebacks (from Stripe webhooks) --------------------------------------------------------

def chargeback_opened(session: Session, order: Order, pay, *, provider_dispute_id: str, reason: str,
                      gateway: PaymentGateway) -> Dispute | None:
    """The issuer opened a chargeback: freeze the payout, mark the order disputed. Idempotent."""
    existing = session.scalar(select(Dispute).where(Dispute.provider_dispute_id == provider_dispute_id))
    if existing is not None:
        return existing
    if order.status == S.ACCEPTED:   # a chargeback proves the capture whose webhook we have not seen
        payments.record_captured(pay, pay.authorised_fen or order.payable_fen, None)
        orders.complete(session, order, gateway, action="complete_from_chargeback")
    dispute = Dispute(order_id=order.id, kind=DisputeKind.CHARGEBACK, reason=DisputeReason.CHARGEBACK,
                      description=reason or "", status=DisputeStatus.OPEN, refund_fen=0,
                      provider_dispute_id=provider_dispute_id)
    session.add(dispute)
    session.flush()
    if order.status == S.COMPLETED:
        orders.move(session, order, S.DISPUTED, action="chargeback", reason=reason)
    payments.settle_payout(session, order, gateway)  # holds it
    _audit(session, None, "chargeback_open", dispute, reason=reason)
    _credit(session, order.buyer_id, "chargeback", dispute)
    _credit(session, order.seller_id, "dispute_opened", dispute)
    notify(session, order.seller_id, "dispute_opened", event_key=f"dispute:{dispute.id}",
                params={"title": order.listing.title, "reason": dispute.reason.value}, ref_type="order", ref_id=order.id)
    session.flush()
    return dispute


def chargeback_closed(session: Session, order: Order, pay, *, provider_dispute_id: str, status: str,
                      reason: str, gateway: PaymentGateway) -> Dispute:
    """The issuer decided: won keeps the sale (payout released), lost takes the money back."""
    dispute = session.scalar(select(Dispute).where(Dispute.provider_dispute_id == provider_dispute_id)
                             .with_for_update())
    if dispute is None:   # the `created` event has not arrived (or was lost): open it first
        dispute = chargeback_opened(session, order, pay, provider_dispute_id=provider_dispute_id,
                                    reason=reason, gateway=gateway)
    if dispute.status == DisputeStatus.RESOLVED:
        return dispute
    won = status == "won"
    dispute.status, dispute.outcome = DisputeStatus.RESOLVED, Outcome.WON if won else Outcome.LOST
    dispute.resolved_at = clock.now(session)
    dispute.refund_fen = 0 if won else pay.captured_fen - pay.refunded_fen
    session.flush()
    if won:
        if order.status == S.DISPUTED:
            orders.complete(session, order, gateway, action="chargeback_won")
        else:
            payments.settle_payout(session, order, gateway)
    else:
        lost_fen = pay.captured_fen - pay.refunded_fen
        payments.apply_refunded(pay, pay.captured_fen)
        orders.apply_refund(session, order, pay, gateway, lost_fen, actor_id=None, reason="chargeback lost")
    _audit(session, None, "chargeback_close", dispute, reason=status)
    winner, loser = (order.seller_id, order.buyer_id) if won else (order.buyer_id, order.seller_id)
    _credit(session, winner, "dispute_won", dispute)
    _credit(session, loser, "dispute_lost", dispute)
    session.flush()
    return dispute
