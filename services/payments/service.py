"""Money movements for an order, each one gateway call plus the rows that record it.

Rules every function keeps:
- a call to a network provider (Stripe) is recorded as a payment operation (operations.py) in
  the caller's transaction and made after commit by relay.py, outside every lock; the rows that
  depend on its answer are written when the answer is recorded (effects.py), the intent at
  placement included. Only seller onboarding and the in-place providers (cash, store credit) still
  call the gateway here;
- each call's idempotency key is derived from the order and the step (and the amount where the
  amount can differ), so a retry after a timeout repeats the first result instead of moving money
  twice;
- amounts are integer fen in CNY.
"""
from __future__ import annotations

import logging
import uuid

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services import audit, pagination
from services.accounts import interface as membership
from services.accounts.models import User
from services.errors import Conflict, NotFound, PaymentFailed, ServiceUnavailable, ValidationFailed
from services.payments import fees, operations
from services.payments.ports import settlement
from services.payments.gateway import GatewayError, IntentRequest, PaymentGateway
from services.payments.models import (OperationState, Payment, PaymentStatus, Payout, PayoutStatus, Refund,
                                      SellerAccount)

if TYPE_CHECKING:   # annotations only: payments sits below orders and reads the rows it is handed
    from services.orders.models import Order

log = logging.getLogger(__name__)


def domain_error(e: GatewayError) -> Exception:
    """A declined card is the buyer's problem (402); anything else is ours or Stripe's (503)."""
    if e.declined:
        return PaymentFailed(str(e), code=e.code)
    return ServiceUnavailable("the payment provider did not answer; try again", code="payment_provider_error",
                              retry_after=10)


def key(order: Order, step: str) -> str:
    return f"huanxin-order-{order.id}-{step}"


def payment_for(session: Session, order: Order, *, lock: bool = False) -> Payment:
    stmt = select(Payment).where(Payment.order_id == order.id)
    if lock:
        stmt = stmt.with_for_update()
    payment = session.scalar(stmt)
    if payment is None:
        raise NotFound("the order has no payment")
    return payment


# An order that store credit pays in full has no money to hold: its Payment row (provider
# "credit") is held from the start, captured and voided without any provider call.
CREDIT = "credit"


# A payment whose provider intent is not created yet (the `intent` operation is sent after the
# placement commits) carries this prefix instead of the provider's id.
PENDING_INTENT = "pending_"


def intent_pending(payment: Payment) -> bool:
    """True until the provider's intent for the payment is created and recorded."""
    return payment.intent_id.startswith(PENDING_INTENT)


def start(session: Session, order: Order, gateway: PaymentGateway, *, capture_method: str = "manual",
          return_url: str | None = None) -> Payment:
    """The order's Payment row. Promises: no provider call is made here (the placement holds
    the listing and order locks): at a network provider the intent is recorded as an `intent`
    payment operation, created after commit under the key `huanxin-order-<id>-intent` (a resend
    gets the same intent), and its client secret and next action land on the payment. Cash is
    recorded in place; with nothing left to pay (store credit covers it) a provider-less
    "credit" payment instead."""
    if order.payable_fen == 0:
        payment = Payment(order_id=order.id, provider=CREDIT, intent_id=f"credit_{order.id}", client_secret=None,
                          status=PaymentStatus.REQUIRES_PAYMENT, amount_fen=0, authorised_fen=0, captured_fen=0,
                          refunded_fen=0, failures=0)
        session.add(payment)
        session.flush()
        return payment
    method = order.payment_method.value
    if method == "cash":
        # Cash changes hands in person: nothing to create at any provider, whatever the app's gateway.
        payment = Payment(order_id=order.id, provider="offline", intent_id=f"cash_{order.id}", client_secret=None,
                          status=PaymentStatus.REQUIRES_PAYMENT, amount_fen=order.payable_fen, authorised_fen=0,
                          captured_fen=0, refunded_fen=0, failures=0, capture_method="manual")
        session.add(payment)
        session.flush()
        return payment
    if not operations.external(gateway.name):
        raise ValidationFailed("this payment method is not available here",
                               fields={"payment_method": ["Only cash: card, Alipay and WeChat Pay need Stripe "
                                                          "(STRIPE_API_KEY)."]})
    payment = Payment(order_id=order.id, provider=gateway.name, intent_id=f"{PENDING_INTENT}{order.id}",
                      client_secret=None, status=PaymentStatus.REQUIRES_PAYMENT, amount_fen=order.payable_fen,
                      authorised_fen=0, captured_fen=0, refunded_fen=0, failures=0, capture_method=capture_method)
    session.add(payment)
    session.flush()
    operations.request(session, operations.INTENT, order_id=order.id, key=key(order, "intent"),
                       amount_fen=order.payable_fen,
                       args={"order_id": str(order.id), "method": method, "capture_method": capture_method,
                             "return_url": return_url, "description": order.listing.title[:200],
                             "listing_id": str(order.listing_id)})
    return payment


def record_intent(session: Session, order: Order, payment: Payment, *, intent_id: str,
                  client_secret: str | None, next_action: dict | None) -> bool:
    """The provider created the payment's intent: record its id, secret and next action. False
    when the order was cancelled meanwhile: the new intent is then cancelled after commit."""
    if not intent_pending(payment):
        return payment.intent_id == intent_id
    payment.intent_id, payment.client_secret, payment.next_action = intent_id, client_secret, next_action
    payment.last_error = None
    if payment.status == PaymentStatus.CANCELLED:
        operations.request(session, operations.CANCEL, order_id=order.id, key=key(order, "cancel-late-intent"),
                           amount_fen=0, args={"intent_id": intent_id})
        return False
    session.flush()
    return True


def change_amount(session: Session, order: Order, payment: Payment) -> None:
    """Bring an unpaid payment in line with `order.payable_fen` (the subsidy or credit on the order
    changed before the buyer paid). Conflict `payment_started` when money is already held.

    At a network provider the new amount is recorded as a payment operation and set after commit
    (relay.py), never while the order is locked: `payment.amount_fen` is the provider's amount and
    changes when the provider agreed (`apply_amount`); an outage delays it (retried, then
    `reconcile`), never the decision. Only the newest change counts: older ones not sent yet are
    dropped. If the buyer confirmed the old amount meanwhile, the provider refuses for good and the
    capture takes no more than the order's payable amount. Cash and store credit change in place."""
    if payment.status != PaymentStatus.REQUIRES_PAYMENT:
        raise Conflict(f"payment is {payment.status.value}: its amount can no longer change",
                       code="payment_started")
    amount = order.payable_fen
    changes = operations.of_kind(session, operations.AMOUNT, order_id=order.id)
    waiting = [op for op in changes if op.state in (OperationState.PENDING, OperationState.SENT)]
    if amount == (waiting[-1].amount_fen if waiting else payment.amount_fen):
        return
    if not operations.external(payment.provider):
        _set_amount(session, order, payment, amount)
        return
    if intent_pending(payment):
        raise Conflict("the payment is still being set up: try again in a moment", code="payment_starting")
    _request_amount(session, order, payment, amount, seq=len(changes) + 1)
    for op in waiting:
        if op.state == OperationState.PENDING:   # never sent: the newer amount replaces it
            op.state, op.result = OperationState.DONE, {"superseded": True}
    session.flush()


def _request_amount(session: Session, order: Order, payment: Payment, amount: int, *, seq: int) -> None:
    # Setting an absolute amount is safe to repeat, and A -> B -> A must not replay the first
    # A: each change gets its own key (its n-th change of the order).
    operations.request(session, operations.AMOUNT, order_id=order.id, amount_fen=amount,
                       key=key(order, f"amount-{amount}-{seq}"), args={"intent_id": payment.intent_id, "seq": seq})


def _set_amount(session: Session, order: Order, payment: Payment, amount: int) -> None:
    audit.record(session, None, "payment.amount", "order", order.id,
                 before={"amount_fen": payment.amount_fen}, after={"amount_fen": amount})
    payment.amount_fen = amount
    payment.last_error = None
    session.flush()


def apply_amount(session: Session, order: Order, payment: Payment, op) -> None:
    """The provider set `op.amount_fen` on the intent: the payment shows it, unless a newer change
    of the order was recorded since (that one counts; if it was already applied, this late answer
    may have overwritten it at the provider, so the newer amount is asked for again)."""
    changes = operations.of_kind(session, operations.AMOUNT, order_id=order.id)
    newest = max(changes, key=lambda o: int((o.request or {}).get("seq") or 0))
    if newest.id == op.id:
        _set_amount(session, order, payment, op.amount_fen)
        return
    if newest.state == OperationState.DONE and not (newest.result or {}).get("superseded"):
        _request_amount(session, order, payment, newest.amount_fen, seq=len(changes) + 1)


def record_authorised(payment: Payment, amount_fen: int) -> bool:
    """Mark the money as held; False when the payment is already further along (a stale event)."""
    if payment.status != PaymentStatus.REQUIRES_PAYMENT:
        return False
    payment.status = PaymentStatus.AUTHORISED
    payment.authorised_fen = amount_fen
    payment.last_error = None
    return True


def capture(session: Session, order: Order, payment: Payment, amount_fen: int, *,
            then: dict | None = None) -> bool:
    """Capture `amount_fen` of the held money (less than held releases the rest to the buyer).
    True when it is captured now (cash, store credit, or already captured); False when the
    capture is recorded as a payment operation for the provider, made after commit (its applied
    answer completes the order: `then` may name the `action` and `actor_id` of that completion)."""
    if payment.status == PaymentStatus.CAPTURED:
        return True
    if payment.status != PaymentStatus.AUTHORISED:
        raise Conflict(f"payment is {payment.status.value}, not authorised", code="payment_not_capturable")
    if payment.provider == CREDIT:
        record_captured(payment, 0, None)
        return True
    if operations.external(payment.provider):
        operations.request(session, operations.CAPTURE, order_id=order.id, amount_fen=amount_fen,
                           key=key(order, f"capture-{amount_fen}"),
                           args={"intent_id": payment.intent_id, **(then or {})})
        return False
    record_captured(payment, amount_fen, None)   # cash: the seller already holds it
    audit.record(session, None, "payment.capture", "order", order.id,
                 after={"captured_fen": amount_fen, "provider": payment.provider})
    return True


def record_captured(payment: Payment, amount_fen: int, charge_id: str | None) -> bool:
    if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        return False
    payment.status = PaymentStatus.CAPTURED
    payment.captured_fen = amount_fen
    payment.authorised_fen = max(payment.authorised_fen, amount_fen)
    payment.charge_id = charge_id or payment.charge_id
    payment.last_error = None
    return True


def void(session: Session, order: Order, payment: Payment) -> None:
    """Release the hold before capture. At a network provider the release is recorded as a
    payment operation and made after commit (relay.py): the payment shows its status until the
    provider confirmed (then `cancelled`), and a provider outage delays the release, never the
    cancellation. Cash and store credit are released in place."""
    if payment.status == PaymentStatus.CANCELLED:
        return
    if escrowed(payment):
        return_escrow(session, order, payment, "order cancelled: the money held goes back")
        return
    if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        raise Conflict("the payment was captured: refund it instead", code="payment_captured")
    if intent_pending(payment):
        # Nothing to release yet: when the intent lands it is cancelled (record_intent).
        payment.status = PaymentStatus.CANCELLED
        return
    if operations.external(payment.provider):
        operations.request(session, operations.CANCEL, order_id=order.id, key=key(order, "cancel"),
                           amount_fen=payment.amount_fen, args={"intent_id": payment.intent_id})
        return
    payment.status = PaymentStatus.CANCELLED


AUTOMATIC = "automatic"


def escrowed(payment: Payment) -> bool:
    """True when the buyer's money was collected at payment and the platform holds it (escrow)."""
    return payment.capture_method == AUTOMATIC and payment.status == PaymentStatus.CAPTURED


def return_escrow(session: Session, order: Order, payment: Payment, reason: str, actor_id=None) -> Refund | None:
    """Give back all of the escrowed money not yet refunded or asked back (a refund, sent after
    commit): what cancelling means once the money was collected. None when nothing is left."""
    left = payment.captured_fen - payment.refunded_fen - refund_pending_fen(session, payment)
    if left <= 0:
        return None
    return refund(session, order, payment, left, reason, actor_id, then={"audit_reason": reason})


def refund(session: Session, order: Order, payment: Payment, amount_fen: int, reason: str, actor_id, *,
           then: dict | None = None) -> Refund:
    """Ask for `amount_fen` of the captured money back: a Refund row `pending` and a payment
    operation, sent after commit (relay.py); the money fields move when the provider confirmed
    (`record_refund_done`). Refunds still pending count against what is left to refund, so two
    requests cannot together refund more than was captured (`then`: the order's audit reason).
    Cash is refunded in place (the row is no longer `pending` on return). The n-th refund of an order always
    uses the same idempotency key, so a resend cannot refund twice."""
    if payment.status not in (PaymentStatus.CAPTURED,):
        raise Conflict(f"payment is {payment.status.value}: nothing captured to refund", code="nothing_to_refund")
    remaining = payment.captured_fen - payment.refunded_fen - refund_pending_fen(session, payment)
    if not 0 < amount_fen <= remaining:
        raise ValidationFailed("refund amount out of range",
                               fields={"amount_fen": [f"Between 1 and {remaining} fen."]})
    seq = (session.scalar(select(func.count()).select_from(Refund).where(Refund.payment_id == payment.id)) or 0) + 1
    refund_key = key(order, f"refund-{seq}-{amount_fen}")
    row = Refund(payment_id=payment.id, seq=seq, amount_fen=amount_fen, reason=reason,
                 provider_refund_id=None, status=REFUND_PENDING, created_by=actor_id)
    session.add(row)
    session.flush()
    if not operations.external(payment.provider):
        # Cash goes back hand to hand: the platform's record is the refund.
        record_refund_done(session, payment, row, f"cashrefund_{refund_key}", "succeeded")
        return row
    operations.request(session, operations.REFUND, order_id=order.id, key=refund_key, amount_fen=amount_fen,
                       args={"intent_id": payment.intent_id, "refund_id": str(row.id), "reason": reason[:500],
                             **(then or {})})
    return row


REFUND_PENDING = "pending"     # Refund.status until the provider answered (then its own status)


def refund_pending_fen(session: Session, payment: Payment) -> int:
    """Money asked back from the provider whose answer is not recorded yet."""
    return int(session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment.id, Refund.status == REFUND_PENDING)) or 0)


def record_refund_done(session: Session, payment: Payment, refund_row: Refund, provider_refund_id: str,
                       status: str) -> int:
    """The provider confirmed `refund_row`: returns the fen newly counted as refunded (0 when a
    `charge.refunded` webhook already counted it)."""
    refund_row.provider_refund_id, refund_row.status = provider_refund_id, status or "succeeded"
    session.flush()
    confirmed = int(session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment.id, Refund.status != REFUND_PENDING, Refund.status != REFUND_FAILED)) or 0)
    before = payment.refunded_fen
    if confirmed > before:
        apply_refunded(payment, confirmed)
    return payment.refunded_fen - before


REFUND_FAILED = "failed"


def apply_refunded(payment: Payment, total_refunded_fen: int) -> None:
    payment.refunded_fen = min(total_refunded_fen, payment.captured_fen)
    if payment.captured_fen and payment.refunded_fen >= payment.captured_fen:
        payment.status = PaymentStatus.REFUNDED


# ---- payouts -----------------------------------------------------------------------------------

def _owner(order: Order) -> dict:
    return {"owner_org_id": order.seller_org_id} if order.seller_org_id else {"owner_user_id": order.seller_id}


def account_for(session: Session, *, owner_user_id=None, owner_org_id=None) -> SellerAccount | None:
    col = SellerAccount.owner_org_id if owner_org_id else SellerAccount.owner_user_id
    return session.scalar(select(SellerAccount).where(col == (owner_org_id or owner_user_id)))


def create_payout(session: Session, order: Order, payment: Payment) -> Payout | None:
    """What the seller is owed for a captured order: captured minus refunds, plus the platform
    store credit the buyer paid with, minus the fee. Cash orders have a payout only for their
    platform credit part: the seller already holds the cash."""
    if payment.provider == "offline" and not order.platform_credit_fen:
        return None
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    if payout is None:
        payout = Payout(order_id=order.id, gross_fen=0, fee_fen=0, net_fen=0, transferred_fen=0,
                        reversed_fen=0, attempts=0, status=PayoutStatus.PENDING, **_owner(order))
        session.add(payout)
    recompute(session, payout, order, payment)
    session.flush()
    return payout


def _money_kept(payment: Payment) -> int:
    # Cash never passes through the platform: the seller holds it.
    return 0 if payment.provider == "offline" else max(payment.captured_fen - payment.refunded_fen, 0)


def _seller_gross(session: Session, order: Order, payment: Payment) -> int:
    # The buyer-paid shipping fee pays the carrier, never the seller (Order.carrier_share).
    kept = _money_kept(payment)
    return kept - order.carrier_share(kept) + settlement(session).platform_credit_owed(order)


def recompute(session: Session, payout: Payout, order: Order, payment: Payment) -> None:
    payout.gross_fen = _seller_gross(session, order, payment)
    payout.fee_fen = fees.fee(payout.gross_fen, order.fee_bps)
    # A seller-paid (包邮) shipping fee comes out of what the seller receives.
    payout.net_fen = max(payout.gross_fen - payout.fee_fen - order.seller_shipping_fen, 0)
    if payout.status in (PayoutStatus.PENDING, PayoutStatus.HELD) and payout.net_fen == 0:
        payout.status = PayoutStatus.CANCELLED


def settle_payout(session: Session, order: Order, gateway: PaymentGateway) -> Payout | None:
    """Bring the seller's payout in line with the order: transfer what is owed when nothing is in
    dispute and the seller's account can receive it, reverse what was overpaid after a refund.
    The transfer or reversal is recorded as a payment operation and made after commit; a
    provider failure is then noted on the payout (`last_error`) and retried, never raised."""
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id).with_for_update())
    if payout is None or payout.status == PayoutStatus.CANCELLED:
        return payout
    payment = payment_for(session, order)
    recompute(session, payout, order, payment)
    if payout.status == PayoutStatus.CANCELLED:
        return payout
    if settlement(session).dispute_open(session, order.id):
        if payout.status == PayoutStatus.PENDING:
            payout.status = PayoutStatus.HELD
        return payout
    if payout.status == PayoutStatus.HELD:
        payout.status = PayoutStatus.PENDING
    if payout.status == PayoutStatus.PAID:
        _reverse_overpaid(session, order, payout, payment, gateway)
        return payout
    if refund_pending_fen(session, payment):
        # What the seller is owed is known once the provider confirmed the refund (its applied
        # answer settles again): no transfer to reverse a moment later.
        payout.last_error = "waiting for a refund to be confirmed"
        return payout
    account = account_for(session, owner_user_id=payout.owner_user_id, owner_org_id=payout.owner_org_id)
    if account is None or not account.payouts_enabled:
        payout.last_error = "seller has no payout-enabled account yet"
        return payout
    payout.attempts += 1
    # One key per order: if a transfer went through but was not recorded, a retry with another
    # amount is refused by Stripe (and waits for an operator) rather than paying twice.
    # A transfer tied to the charge may not exceed it: the platform credit part is paid from the
    # platform's balance, so a payout larger than the charge is not tied to it.
    charge = payment.charge_id if payout.net_fen <= _money_kept(payment) else None
    # Recorded here, sent after commit (services/payments/relay.py): no call under the payout lock.
    operations.request(session, operations.TRANSFER, order_id=order.id, key=key(order, "transfer"),
                       amount_fen=payout.net_fen, payout_id=payout.id,
                       args={"account_id": account.stripe_account_id, "charge_id": charge, "order_id": str(order.id)})
    return payout


def _reverse_overpaid(session: Session, order: Order, payout: Payout, payment: Payment,
                      gateway: PaymentGateway) -> None:
    # What the seller finally keeps a share of: money still captured plus platform credit still spent.
    kept = _seller_gross(session, order, payment)
    due = fees.reversal_due(payout.transferred_fen - payout.reversed_fen + order.seller_shipping_fen,
                            kept, 0, order.fee_bps)
    if due <= 0 or not payout.transfer_id:
        return
    if operations.in_flight(session, operations.REVERSAL, payout_id=payout.id):
        return   # applying it settles again and asks for whatever is still due
    total = payout.reversed_fen + due
    operations.request(session, operations.REVERSAL, order_id=order.id, key=key(order, f"reversal-to-{total}"),
                       amount_fen=due, payout_id=payout.id, args={"transfer_id": payout.transfer_id, "total": total})


# ---- seller onboarding -------------------------------------------------------------------------

def _payout_org(user: User):
    """The organisation whose payouts the user handles: one they own first, else one they staff."""
    owned = sorted((m.org_id for m in user.memberships if membership.is_owner(user, m.org_id)), key=str)
    return next(iter(owned or sorted(user.org_ids(), key=str)), None)


def onboard(session: Session, user: User, gateway: PaymentGateway, *, refresh_url: str,
            return_url: str) -> tuple[SellerAccount, str]:
    """The seller's (or their organisation's) Connect Express account, created once, and a fresh
    onboarding link to Stripe's hosted form. Staff may not onboard their organisation (403
    `owner_required`): where the money goes is the owner's decision."""
    org_id = _payout_org(user)
    if org_id is not None:
        membership.require_owner(user, org_id)
    owner = {"owner_org_id": org_id} if org_id else {"owner_user_id": user.id}
    account = account_for(session, **owner)
    try:
        if account is None:
            ref = f"org:{org_id}" if org_id else f"user:{user.id}"
            created = gateway.create_account(ref, user.email, idempotency_key=f"huanxin-account-{ref}")
            account = SellerAccount(stripe_account_id=created.id, charges_enabled=created.charges_enabled,
                                    payouts_enabled=created.payouts_enabled,
                                    details_submitted=created.details_submitted, synced_event_at=0, **owner)
            session.add(account)
            session.flush()
            audit.record(session, user.id, "seller_account.create", "seller_account", account.id)
        # Links are single-use: each request asks for a fresh one (the key only guards retries).
        url = gateway.account_link(account.stripe_account_id, refresh_url=refresh_url, return_url=return_url,
                                   idempotency_key=f"huanxin-account-link-{uuid.uuid4()}")
    except GatewayError as e:
        if e.code == "payouts_unavailable":
            raise Conflict(str(e), code="payouts_unavailable") from None
        raise domain_error(e) from None
    return account, url


def seller_account(session: Session, user: User) -> SellerAccount:
    org_id = _payout_org(user)
    account = account_for(session, owner_org_id=org_id) if org_id else account_for(session, owner_user_id=user.id)
    if account is None:
        raise NotFound("no seller account yet: start onboarding first")
    return account


def payouts_of(session: Session, user: User, cursor, limit):
    owners = [Payout.owner_user_id == user.id]
    if user.org_ids():
        owners.append(Payout.owner_org_id.in_(user.org_ids()))
    return pagination.page(session, select(Payout).where(or_(*owners)), Payout, cursor, limit)
