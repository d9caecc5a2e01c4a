"""Orders: place (atomic reservation of the listing), pay, hand over, accept and capture, cancel
and refund. Every status change goes through `move`, which checks the state machine and writes
the audit log; every money movement goes through services.payments.interface."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services import audit, clock, pagination
from services.accounts.models import User
from services.credit.interface import record_event
from services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from services.listings import interface as listings
from services.listings.models import Listing, Status as ListingStatus
from services.notifications.interface import money, notify
from services.orders import fulfilment as shipping_terms, hooks, states
from services.orders.models import Fulfilment, Order, OrderStatus as S, PaymentMethod
from services.orders.parties import is_seller, side
from services.orders.ports import order_hooks
from services.orders.settings import BuyingSettings
from services.payments import interface as payments
from services.payments.interface import GatewayError, PaymentGateway
from services.payments.models import Payment

log = logging.getLogger(__name__)

_STAMPS = {S.PAID_HELD: "paid_at", S.HANDED_OVER: "handed_over_at", S.ACCEPTED: "accepted_at",
           S.COMPLETED: "completed_at", S.CANCELLED: "cancelled_at"}


# ---- who may see and do what ---------------------------------------------------------------------

def _require(user: User, order: Order, *allowed: str) -> str:
    who = side(user, order)
    if who not in allowed:
        raise Forbidden(f"only the {' or '.join(allowed)} may do this", code="not_your_step")
    return who


def get(session: Session, order_id, viewer: User) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("no such order")
    side(viewer, order)
    return order


def lock(session: Session, order_id) -> Order:
    order = session.scalar(select(Order).where(Order.id == order_id).with_for_update())
    if order is None:
        raise NotFound("no such order")
    return order


def list_for(session: Session, user: User, *, role: str | None, status: S | None, cursor, limit):
    """The user's orders as buyer, as seller (their own or their organisation's), or both;
    operators see every order."""
    stmt = select(Order).options(selectinload(Order.listing))
    if not (user.is_operator and role is None):
        buying = Order.buyer_id == user.id
        selling = [Order.seller_id == user.id] + ([Order.seller_org_id.in_(user.org_ids())] if user.org_ids() else [])
        stmt = stmt.where(buying if role == "buyer" else or_(*selling) if role == "seller" else or_(buying, *selling))
    if status:
        stmt = stmt.where(Order.status == status)
    return pagination.page(session, stmt, Order, cursor, limit)


def buys_listing(session: Session, user_id, listing_id) -> bool:
    """True when `user_id` is the buyer of an order on the listing that was not cancelled: the
    buyer then needs the seller's exact location to meet."""
    return session.scalar(select(Order.id).where(Order.listing_id == listing_id, Order.buyer_id == user_id,
                                                 Order.status != S.CANCELLED).limit(1)) is not None


# ---- the state machine ---------------------------------------------------------------------------

def move(session: Session, order: Order, target: S, *, action: str, actor_id=None, reason: str | None = None) -> None:
    """The only way an order changes status: checked against TRANSITIONS, stamped, audited."""
    states.check(order.status, target)
    before = order.status
    order.status = target
    stamp = _STAMPS.get(target)
    if stamp and getattr(order, stamp) is None:
        setattr(order, stamp, clock.now(session))
    audit.record(session, actor_id, f"order.{action}", "order", order.id,
                 before={"status": before.value}, after={"status": target.value}, reason=reason)
    if S.COMPLETED in (before, target):   # the parties' completed trades (seller standing) follow
        order_hooks(session).trades_changed(session, order)


def _credit(session: Session, subject_id, kind: str, order: Order, **detail) -> None:
    record_event(session, subject_id, kind, ref_type="order", ref_id=order.id, detail=detail or None,
                 occurred_at=clock.now(session))


# ---- placing and paying --------------------------------------------------------------------------



def place(session: Session, buyer: User, listing_id, *, gateway: PaymentGateway, settings: BuyingSettings,
          price_fen: int | None = None, offer_id: uuid.UUID | None = None,
          subsidy_request: dict | None = None, store_credit_fen: int | None = None,
          store_credit_issuer: str | None = None, payment_method: str | None = None,
          fulfilment: str = "meetup", return_url: str | None = None) -> Order:
    """Reserve a published listing for the buyer and start the payment. Of many buyers racing for
    one listing exactly one succeeds; the others get Conflict (409). With `subsidy_request` (a
    subsidy quote body) the subsidy is reserved and taken off what the buyer pays, as is
    `store_credit_fen` of the buyer's store credit (`store_credit_issuer`: 'platform', the seller's
    org id, or None for the seller's credit first, then the platform's). Credit that covers all of
    what is left needs no card or cash: the order is paid (held) at once. `fulfilment` "shipped"
    fixes the listing's shipping fee and who pays it on the order (422 when the listing is meet-up
    only); a buyer-paid fee is added to what the buyer pays. If the subsidy or the credit fails,
    nothing is kept: all of it rolls back with the caller's transaction. `payment_method` (card |
    alipay | wechat_pay | cash; default: the gateway's own) decides how the rest is paid and, with
    `fulfilment`, how the money is held: see `capture_method_for`. The provider's intent is created
    after commit (payments.start)."""
    listing = session.get(Listing, listing_id)
    if listing is None or not listings.can_view(buyer, listing):
        raise NotFound("no such listing")
    if buyer.is_operator:
        raise Forbidden("operators do not buy", code="role_not_allowed")
    if listings.can_manage(buyer, listing):
        raise Forbidden("you cannot buy your own listing", code="own_listing")
    how, shipping_fee, shipping_payer = shipping_terms.terms(listing, fulfilment)
    method = _payment_method(payment_method or gateway.method)
    listings.reserve(session, listing.id)
    now = clock.now(session)
    cash = method == PaymentMethod.CASH
    hold = timedelta(hours=settings.cash_reservation_hours) if cash else timedelta(minutes=settings.reservation_minutes)
    order = Order(id=uuid.uuid4(), listing_id=listing.id, buyer_id=buyer.id, seller_id=listing.seller_id,
                  seller_org_id=listing.org_id, offer_id=offer_id, price_fen=price_fen or listing.price_fen,
                  subsidy_fen=0, store_credit_fen=0, payment_method=method,
                  fee_bps=settings.platform_fee_bps, fulfilment=how, shipping_fee_fen=shipping_fee,
                  shipping_paid_by=shipping_payer,
                  status=S.CREATED, refunded_fen=0, reserved_until=now + hold)
    session.add(order)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("the listing already has an order", code="listing_unavailable") from None
    audit.record(session, buyer.id, "order.place", "order", order.id,
                 after={"status": S.CREATED.value, "price_fen": order.price_fen, "listing_id": str(listing.id)})
    if subsidy_request is not None:
        order.subsidy_fen = hooks.subsidy_reserve(session, order, buyer, subsidy_request)
        session.flush()
    if store_credit_fen:
        hooks.store_credit_spend(session, order, buyer, store_credit_fen, store_credit_issuer)
        session.flush()
    if cash and not order.platform_credit_fen:
        order.fee_bps = 0   # the cash changes hands in person: nothing passes through the platform
    pay = payments.start(session, order, gateway, capture_method=capture_method_for(method, how),
                         return_url=return_url)
    move(session, order, S.PAYMENT_PENDING, action="start_payment", actor_id=buyer.id)
    if pay.provider == payments.CREDIT:   # nothing left to pay with money: held like authorised funds
        mark_authorised(session, order, pay, 0, actor_id=buyer.id, action="paid_with_store_credit")
    session.flush()
    return order


def capture_method_for(method: PaymentMethod, fulfilment: Fulfilment) -> str:
    """How the buyer's money is held. Wallets cannot be authorised and captured later at Stripe,
    and a card authorisation lapses after about 7 days, which a parcel plus the acceptance window
    can outlast: both are collected at once and held by the platform ("automatic", escrow) and
    the seller is paid by a transfer after acceptance. A card at a meet-up keeps the hold
    ("manual"), captured at acceptance a few days later at most."""
    if method == PaymentMethod.CARD and fulfilment == Fulfilment.MEETUP:
        return "manual"
    return "automatic" if method != PaymentMethod.CASH else "manual"


def _payment_method(value: str) -> PaymentMethod:
    try:
        return PaymentMethod(value)
    except ValueError:
        raise ValidationFailed("unknown payment method", fields={
            "payment_method": [f"One of: {', '.join(m.value for m in PaymentMethod)}."]}) from None


def payment(session: Session, order: Order) -> Payment:
    return payments.payment_for(session, order)


def mark_authorised(session: Session, order: Order, pay: Payment, amount_fen: int, *, actor_id=None,
                    action: str = "authorised") -> bool:
    """The buyer's money is held (card authorised, or cash in the seller's hand)."""
    changed = payments.record_authorised(pay, amount_fen)
    if order.status == S.PAYMENT_PENDING:
        move(session, order, S.PAID_HELD, action=action, actor_id=actor_id)
        order.reserved_until = None
        if pay.provider != "offline":   # cash: the seller is the one who confirmed it (store credit alone: told)
            notify(session, order.seller_id, "order_paid", event_key=f"order:{order.id}:paid",
                        params={"title": order.listing.title, "amount": money(order.price_fen)},
                        ref_type="order", ref_id=order.id)
        return True
    return changed


def confirm_cash(session: Session, actor: User, order_id, *, settings: BuyingSettings) -> Order:
    """Cash on handover: the seller confirms they received the cash and handed the item over
    (payment_pending -> paid_held -> handed_over); the buyer's acceptance window starts. For a
    shipped order paid offline only the payment is confirmed (-> paid_held): it still ships."""
    order = lock(session, order_id)
    _require(actor, order, "seller")
    if order.payment_method != PaymentMethod.CASH:
        raise Conflict("this order is paid by card", code="not_a_cash_order")
    states.check(order.status, S.PAID_HELD)
    pay = payments.payment_for(session, order, lock=True)
    mark_authorised(session, order, pay, order.payable_fen, actor_id=actor.id, action="confirm_cash")
    if order.fulfilment == Fulfilment.MEETUP:
        _hand_over(session, order, actor.id, settings)
    # A shipped order paid offline (a bank transfer the seller confirms) stays `paid_held`: the
    # carrier's delivery report is its handover, never the seller's word.
    session.flush()
    return order


def hand_over(session: Session, actor: User, order_id, *, settings: BuyingSettings) -> Order:
    """The seller handed the item over in person: the acceptance (and dispute) window starts now.
    Only a meet-up order (409 `not_a_meetup_order`): a shipped one is handed over when the carrier
    reports delivery."""
    order = lock(session, order_id)
    _require(actor, order, "seller")
    shipping_terms.require_meetup(order)
    _hand_over(session, order, actor.id, settings)
    session.flush()
    return order


def _hand_over(session: Session, order: Order, actor_id, settings: BuyingSettings) -> None:
    move(session, order, S.HANDED_OVER, action="hand_over", actor_id=actor_id)
    order.accept_by = order.handed_over_at + settings.acceptance_window


# ---- accepting, capturing, completing -----------------------------------------------------------

def accept(session: Session, actor: User, order_id, *, gateway: PaymentGateway) -> Order:
    """The buyer accepts the item: the acceptance is kept and the held money is captured (a card
    capture is recorded here and made after commit, see capture_accepted). If the capture fails,
    the order stays `accepted` with the error noted and the capture job retries it (with the same
    idempotency key, so a capture that did go through is never repeated)."""
    order = lock(session, order_id)
    _require(actor, order, "buyer")
    move(session, order, S.ACCEPTED, action="accept", actor_id=actor.id)
    session.flush()
    capture_accepted(session, order, gateway)
    return order


def capture_accepted(session: Session, order: Order, gateway: PaymentGateway) -> bool:
    """Capture an accepted order and complete it; False (order unchanged, error noted) on failure.
    Money held at a provider is captured after commit: the capture is recorded as a payment
    operation (the relay completes the order when it succeeds) and False is returned."""
    pay = payments.payment_for(session, order, lock=True)
    try:
        with session.begin_nested():
            hooks.before_capture(session, order)
            # Never more than the order asks: a buyer who confirmed before a new (lower) amount
            # reached the provider keeps the difference (the rest of the hold is released).
            amount = min(pay.authorised_fen, order.payable_fen) if pay.authorised_fen else order.payable_fen
            if not payments.capture(session, order, pay, amount):
                return False   # recorded for the provider: its applied answer completes the order
            complete(session, order, gateway)
    except (GatewayError, DomainError) as e:
        code = getattr(e, "code", type(e).__name__)
        session.refresh(pay)
        pay.last_error = f"capture failed: {code}"[:200]
        order.attention = f"capture pending: {code}"[:200]
        log.warning("capture failed", extra={"order_id": str(order.id), "code": code})
        session.flush()
        return False
    return True


def complete(session: Session, order: Order, gateway: PaymentGateway, *, actor_id=None,
             action: str = "complete") -> None:
    """The money is captured: the order completes, the listing is sold (once), both sides earn a
    completed trade, the listing's open offers end (the `OrderHooks` port, services/orders/ports.py),
    and the seller's payout is created and settled unless a dispute is open."""
    first = order.completed_at is None
    move(session, order, S.COMPLETED, action=action, actor_id=actor_id)
    order.attention = None
    pay = payments.payment_for(session, order)
    order.refunded_fen = max(order.refunded_fen, order.payable_fen - pay.captured_fen + pay.refunded_fen)
    if first:
        listing = session.get(Listing, order.listing_id)
        if listing.status == ListingStatus.RESERVED:
            listings.mark_sold(session, order.listing_id)
        _credit(session, order.buyer_id, "order_completed_buyer", order)
        _credit(session, order.seller_id, "order_completed_seller", order)
        hooks.subsidy_redeem(session, order)
    order_hooks(session).completed(session, order)   # open offers on the listing end (services.flows.sales)
    payments.create_payout(session, order, pay)
    payments.settle_payout(session, order, gateway)
    session.flush()


# ---- cancelling and refunding --------------------------------------------------------------------

def cancel(session: Session, actor: User, order_id, *, gateway: PaymentGateway, reason: str | None = None) -> Order:
    """Buyer, seller or operator cancel before capture: the order is cancelled and the listing
    published again at once; a card hold is released after commit (a `cancel` payment operation:
    the payment shows `cancelled` once Stripe confirmed, and the reconciliation job finishes a
    release a Stripe outage delayed)."""
    order = lock(session, order_id)
    who = side(actor, order)
    cancel_order(session, order, gateway, actor_id=actor.id, by=who, reason=reason)
    return order


def cancel_order(session: Session, order: Order, gateway: PaymentGateway, *, actor_id, by: str,
                 reason: str | None) -> None:
    states.check(order.status, S.CANCELLED)
    pay = session.scalar(select(Payment).where(Payment.order_id == order.id).with_for_update())
    if pay is not None:
        payments.void(session, order, pay)
    move(session, order, S.CANCELLED, action="cancel", actor_id=actor_id, reason=reason or by)
    order.cancel_reason = (reason or f"cancelled by {by}")[:300]
    order.reserved_until = None
    listing = session.get(Listing, order.listing_id)
    if listing.status == ListingStatus.RESERVED:
        listings.release(session, order.listing_id)
    hooks.subsidy_release(session, order)
    if by == "expiry":
        hooks.subsidy_expired(session, order)
    hooks.store_credit_refund(session, order)
    # An expired card order is the buyer's (they never paid); an expired cash meeting could be
    # either side's, so it counts against nobody.
    if by == "buyer" or (by == "expiry" and order.payment_method != PaymentMethod.CASH):
        _credit(session, order.buyer_id, "order_cancelled_buyer", order, by=by)
    elif by == "seller":
        _credit(session, order.seller_id, "order_cancelled_seller", order, by=by)
    session.flush()


def refund(session: Session, actor: User, order_id, *, gateway: PaymentGateway, amount_fen: int | None,
           reason: str) -> Order:
    """A full or partial refund of a completed order, by its seller or an operator, with a reason.
    A card refund is recorded (a `pending` refund, `attention: refund pending`) and made after
    commit; once Stripe confirmed it the order's `refunded_fen` grows, a full refund ends the order
    as `refunded`, and the seller's payout shrinks (or is reversed). Cash is refunded at once."""
    order = lock(session, order_id)
    who = _require(actor, order, "seller", "operator")
    if order.status == S.DISPUTED:
        raise Conflict("a dispute is open: it is resolved through the dispute", code="dispute_open")
    if order.status != S.COMPLETED:
        raise states.InvalidState(order.status.value, S.REFUNDED.value, [s.value for s in states.allowed(order.status)])
    if not reason or not reason.strip():
        raise ValidationFailed("a refund needs a reason", fields={"reason": ["Required."]})
    pay = payments.payment_for(session, order, lock=True)
    if pay.provider == payments.CREDIT:
        # Paid with store credit alone: no money to give back, the credit goes back whole.
        if amount_fen is not None:
            raise ValidationFailed("an order paid with store credit alone is refunded in full",
                                   fields={"amount_fen": ["Omit it: the store credit is given back whole."]})
        move(session, order, S.REFUNDED, action="refund", actor_id=actor.id, reason=f"{who}: {reason}")
        hooks.subsidy_clawback(session, order, reason)
        hooks.store_credit_refund(session, order)
        payments.settle_payout(session, order, gateway)
        session.flush()
        return order
    amount = amount_fen if amount_fen is not None else pay.captured_fen - pay.refunded_fen - payments.refund_pending_fen(session, pay)
    refund_money(session, order, pay, gateway, amount, actor_id=actor.id, reason=reason, audit_reason=f"{who}: {reason}")
    return order


def refund_money(session: Session, order: Order, pay: Payment, gateway: PaymentGateway, amount_fen: int, *,
                 actor_id, reason: str, audit_reason: str) -> None:
    """Give `amount_fen` back: applied to the order now for cash; for a card, recorded and applied
    when the provider confirmed it (services.flows.settlement), the order flagged meanwhile."""
    row = payments.refund(session, order, pay, amount_fen, reason, actor_id, then={"audit_reason": audit_reason})
    if row.status == payments.REFUND_PENDING:
        order.attention = "refund pending"
        session.flush()
        return
    apply_refund(session, order, pay, gateway, amount_fen, actor_id=actor_id, reason=audit_reason)


def platform_credit_owed(order: Order) -> int:
    """Platform-issued store credit the buyer spent and still has spent: the platform pays it to
    the seller. Once the order is cancelled or refunded the credit went back to the buyer."""
    if order.status in (S.CANCELLED, S.REFUNDED):
        return 0
    return order.platform_credit_fen or 0


def apply_refund(session: Session, order: Order, pay: Payment, gateway: PaymentGateway, amount_fen: int, *,
                 actor_id, reason: str) -> None:
    """Record on the order a refund the payment already shows (ours, or one seen by webhook)."""
    order.refunded_fen = min(order.payable_fen, order.payable_fen - pay.captured_fen + pay.refunded_fen)
    audit.record(session, actor_id, "order.refund_money", "order", order.id,
                 after={"amount_fen": amount_fen, "refunded_fen": order.refunded_fen}, reason=reason)
    notify(session, order.buyer_id, "refunded", event_key=f"order:{order.id}:refunded:{pay.refunded_fen}",
           params={"title": order.listing.title, "amount": money(amount_fen)}, ref_type="order", ref_id=order.id)
    # A cancelled order whose escrowed money came back stays cancelled (its refund is the release).
    if pay.captured_fen and pay.refunded_fen >= pay.captured_fen and order.status not in (S.REFUNDED, S.CANCELLED):
        move(session, order, S.REFUNDED, action="refund", actor_id=actor_id, reason=reason)
    if order.status == S.REFUNDED:
        hooks.subsidy_clawback(session, order, reason)
        hooks.store_credit_refund(session, order)
    payments.settle_payout(session, order, gateway)
    session.flush()
