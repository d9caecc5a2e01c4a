"""Where an order's money is: the payment (authorised, captured, refunded), each refund, the
seller's connected account, the payout to the seller, and every Stripe event seen once."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint,
                        Uuid)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class PaymentStatus(str, enum.Enum):
    REQUIRES_PAYMENT = "requires_payment"
    AUTHORISED = "authorised"     # held on the card (or cash in the seller's hand)
    CAPTURED = "captured"
    REFUNDED = "refunded"         # everything captured went back
    CANCELLED = "cancelled"       # the hold was released (or lapsed) before capture


# How far along a payment is; a webhook that would move it backwards is stale and is ignored.
PAYMENT_RANK = {PaymentStatus.REQUIRES_PAYMENT: 0, PaymentStatus.AUTHORISED: 1,
                PaymentStatus.CAPTURED: 2, PaymentStatus.CANCELLED: 2, PaymentStatus.REFUNDED: 3}


class Payment(UUIDPk, Timestamps, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("captured_fen >= 0 AND refunded_fen >= 0 AND refunded_fen <= captured_fen",
                        name="amounts_consistent"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(10))        # stripe | offline
    intent_id: Mapped[str] = mapped_column(String(100), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus),
                                                  default=PaymentStatus.REQUIRES_PAYMENT)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    authorised_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    captured_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    charge_id: Mapped[str | None] = mapped_column(String(100), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # manual: authorised, captured at acceptance (a card at a meet-up: a hold lasts ~7 days).
    # automatic: collected at once and held by the platform until acceptance (escrow: wallets,
    # which cannot be held, and shipped card orders, which can outlast a hold).
    capture_method: Mapped[str] = mapped_column(String(10), default="manual", server_default="manual")
    # What the buyer must do to pay, as the provider said (redirect URL, QR data); None until known.
    next_action: Mapped[dict | None] = mapped_column(JSON)


class Refund(UUIDPk, Base):
    __tablename__ = "payment_refunds"
    __table_args__ = (UniqueConstraint("payment_id", "seq"),
                      CheckConstraint("amount_fen > 0", name="amount_positive"))

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)    # 1, 2, ... per payment: part of the idempotency key
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    provider_refund_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SellerAccount(UUIDPk, Timestamps, Base):
    """A Stripe Connect Express account: a consumer's own, or their organisation's."""
    __tablename__ = "seller_accounts"
    __table_args__ = (
        CheckConstraint("(owner_user_id IS NULL) <> (owner_org_id IS NULL)", name="one_owner"),
    )

    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), unique=True)
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(String(100), unique=True)
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    # `created` of the newest account.updated applied: an older event arriving late is ignored.
    synced_event_at: Mapped[int] = mapped_column(BigInteger, default=0)


class PayoutStatus(str, enum.Enum):
    PENDING = "pending"        # waiting for the seller's account (or a retry)
    HELD = "held"              # a dispute or chargeback is open
    PAID = "paid"              # transferred
    CANCELLED = "cancelled"    # nothing is owed (refunded before the transfer)


class Payout(UUIDPk, Timestamps, Base):
    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("net_fen >= 0 AND fee_fen >= 0 AND transferred_fen >= 0 AND reversed_fen >= 0",
                        name="amounts_non_negative"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), unique=True)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    gross_fen: Mapped[int] = mapped_column(BigInteger)   # captured minus refunded
    fee_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)     # what the seller is owed
    status: Mapped[PayoutStatus] = mapped_column(enum_column(PayoutStatus), default=PayoutStatus.PENDING)
    transfer_id: Mapped[str | None] = mapped_column(String(100))
    transferred_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    paid_at: Mapped[datetime | None] = mapped_column()


class StripeEvent(Base):
    """Each Stripe event id once: a replayed delivery finds its row and changes nothing."""
    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperationState(str, enum.Enum):
    PENDING = "pending"   # recorded with its domain change; to be sent (again) after commit
    SENT = "sent"         # claimed by a sender; the provider call may or may not have happened
    DONE = "done"         # the provider's answer is recorded and applied
    FAILED = "failed"     # given up: an operator looks (audit `payment_operation.failed`)


class PaymentOperation(UUIDPk, Timestamps, Base):
    """One call to the payment provider, recorded in the transaction that decided it and sent
    only after that transaction committed (services/payments/operations.py, relay.py). The
    idempotency key is fixed when the row is written: every resend repeats it, so the provider
    answers a resend with the first result instead of moving money again."""
    __tablename__ = "payment_operations"
    __table_args__ = (Index("ix_payment_operations_state_next_attempt_at", "state", "next_attempt_at"),)

    kind: Mapped[str] = mapped_column(String(20))              # intent | capture | transfer | reversal | cancel | refund | withdrawal
    # None for a call that moves no order's money (a store-credit withdrawal: `request` names its entry).
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payout_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    request: Mapped[dict] = mapped_column(JSON)                # the call's other arguments
    state: Mapped[OperationState] = mapped_column(enum_column(OperationState), default=OperationState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict | None] = mapped_column(JSON)
