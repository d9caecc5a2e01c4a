"""Orders: one buyer, one listing, one agreed price, and where the money is."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column
from services.listings.models import Listing


class OrderStatus(str, enum.Enum):
    CREATED = "created"                   # placed; the listing is reserved
    PAYMENT_PENDING = "payment_pending"   # waiting for the buyer's card (or the cash at handover)
    PAID_HELD = "paid_held"               # funds authorised and held (or cash collected)
    HANDED_OVER = "handed_over"           # the seller handed the item over; acceptance window runs
    ACCEPTED = "accepted"                 # the buyer accepted (or the window ended); capture requested
    COMPLETED = "completed"               # captured; the seller's payout follows
    CANCELLED = "cancelled"               # ended before capture; hold and listing released
    REFUNDED = "refunded"                 # all of the buyer's money went back
    DISPUTED = "disputed"                 # a dispute or chargeback is open: capture and payout frozen


class PaymentMethod(str, enum.Enum):
    CARD = "card"               # Stripe PaymentIntent: manual capture at a meet-up, escrow when shipped
    ALIPAY = "alipay"           # Stripe PaymentIntent, redirect to Alipay; captured at once (escrow)
    WECHAT_PAY = "wechat_pay"   # Stripe PaymentIntent, QR code to scan in WeChat; captured at once (escrow)
    CASH = "cash"               # offline: cash on handover, confirmed by the seller



class Fulfilment(str, enum.Enum):
    MEETUP = "meetup"     # 面交: handed over in person
    SHIPPED = "shipped"   # sent by carrier across cities (services/shipping)


class ShippingPayer(str, enum.Enum):
    BUYER = "buyer"       # added to what the buyer pays
    SELLER = "seller"     # 包邮: taken out of the seller's payout


# The buyer-paid shipping fee, in SQL (the refund bound below; `Order.buyer_shipping_fen` in Python).
_BUYER_SHIPPING_SQL = "CASE WHEN shipping_paid_by = 'buyer' THEN shipping_fee_fen ELSE 0 END"

# A listing has at most one order in these states (belt and braces behind the atomic reserve).
_LIVE_SQL = "status NOT IN ('cancelled', 'refunded')"


class Order(UUIDPk, Timestamps, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("price_fen > 0", name="price_positive"),
        # Store credit may pay the whole price (nothing left for card or cash); a subsidy never does.
        CheckConstraint("subsidy_fen >= 0 AND store_credit_fen >= 0 AND subsidy_fen + store_credit_fen <= price_fen",
                        name="deductions_bounded"),
        CheckConstraint("platform_credit_fen >= 0 AND platform_credit_fen <= store_credit_fen",
                        name="platform_credit_bounded"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= price_fen - subsidy_fen - store_credit_fen + "
                        + _BUYER_SHIPPING_SQL, name="refund_bounded"),
        CheckConstraint("shipping_fee_fen >= 0", name="shipping_fee_not_negative"),
        CheckConstraint("fee_bps >= 0 AND fee_bps <= 10000", name="fee_bps_range"),
        Index("uq_orders_live_listing", "listing_id", unique=True,
              postgresql_where=text(_LIVE_SQL), sqlite_where=text(_LIVE_SQL)),
        Index("ix_orders_status_reserved_until", "status", "reserved_until"),
        Index("ix_orders_status_accept_by", "status", "accept_by"),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id"), index=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    seller_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the accepted offer, if any
    price_fen: Mapped[int] = mapped_column(BigInteger)
    # Government and campaign subsidy taken off at checkout (the retailer claims it back later).
    subsidy_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Store credit spent on the order: the seller's own organisation's credit (the retailer simply
    # receives less) plus platform-issued credit (the platform pays the seller that part).
    store_credit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Of store_credit_fen, the part issued by the platform: part of the seller's payout.
    platform_credit_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    # The fee rate of the day the order was placed: a later config change never alters a deal.
    fee_bps: Mapped[int] = mapped_column(Integer)
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.CREATED)
    # How the item reaches the buyer, and the shipping fee fixed at placement from the listing's
    # terms (services/orders/fulfilment.py): part of the deal, never changed afterwards.
    fulfilment: Mapped[Fulfilment] = mapped_column(enum_column(Fulfilment), default=Fulfilment.MEETUP,
                                                   server_default=Fulfilment.MEETUP.value)
    shipping_fee_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    shipping_paid_by: Mapped[ShippingPayer] = mapped_column(enum_column(ShippingPayer), default=ShippingPayer.BUYER,
                                                            server_default=ShippingPayer.BUYER.value)
    refunded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_until: Mapped[datetime | None] = mapped_column()   # unpaid orders expire then
    paid_at: Mapped[datetime | None] = mapped_column()
    handed_over_at: Mapped[datetime | None] = mapped_column()
    accept_by: Mapped[datetime | None] = mapped_column()        # acceptance and dispute window end
    accepted_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # Set when something needs an operator (e.g. a card authorisation lapsed after handover).
    attention: Mapped[str | None] = mapped_column(String(200))

    listing: Mapped[Listing] = relationship()

    @property
    def buyer_shipping_fen(self) -> int:
        """The shipping fee the buyer pays (0 for a meet-up or free shipping)."""
        return (self.shipping_fee_fen or 0) if self.shipping_paid_by != ShippingPayer.SELLER else 0

    # The platform books and pays the carrier (the stand-in in the demo): a buyer-paid fee is part
    # of what the buyer pays but never of the seller's gross; a seller-paid fee (包邮) comes out of
    # the payout. Cancelled or refunded in full, nothing was sold: nobody is charged shipping.
    def carrier_share(self, money_kept_fen: int) -> int:
        """Of the buyer's money still kept, the part that pays the carrier: the buyer-paid fee, at
        most what is kept."""
        if self.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            return 0
        return min(self.buyer_shipping_fen, money_kept_fen)

    @property
    def seller_shipping_fen(self) -> int:
        """The seller-paid (包邮) fee taken out of the seller's payout."""
        if self.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED) or self.shipping_paid_by != ShippingPayer.SELLER:
            return 0
        return self.shipping_fee_fen or 0

    @property
    def payable_fen(self) -> int:
        """What the buyer pays with money: the price less subsidy and store credit, plus the
        shipping fee when the buyer pays it. Payments, refunds and fees use this."""
        return self.price_fen - (self.subsidy_fen or 0) - (self.store_credit_fen or 0) + self.buyer_shipping_fen
