from __future__ import annotations

import marshmallow as ma

from marketplace import i18n
from marketplace.pagination import PageArgs
from marshmallow import validate

from services.orders.models import OrderStatus, PaymentMethod

STATUSES = tuple(s.value for s in OrderStatus)
PAYMENT_METHODS = tuple(m.value for m in PaymentMethod)


class OrderCreateSchema(ma.Schema):
    listing_id = ma.fields.UUID(required=True)
    store_credit_fen = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1), metadata={
        "description": "Pay this much with your store credit, up to the whole price left after a subsidy "
                       "(then no card or cash is needed). Platform-issued credit pays any order; a "
                       "retailer's credit pays only on that retailer's listings."})
    store_credit_issuer = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=36), metadata={
        "description": "Whose credit: 'platform', or the id of the retailer that issued it. Omitted: the "
                       "seller's own retailer credit first, then platform credit."})
    fulfilment = ma.fields.String(load_default="meetup", validate=validate.OneOf(("meetup", "shipped")), metadata={
        "description": "meetup (面交, default) or shipped (跨城发货: the listing's `shipping_fee_fen` is added "
                       "to what you pay, unless the listing has `free_shipping`; 422 if it is meet-up only). A card at a "
                       "meetup is authorised and captured at acceptance; a shipped order's money is collected at "
                       "once and held by the platform until acceptance (Alipay and WeChat Pay always are)."})
    payment_method = ma.fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS), metadata={
        "description": "How the rest is paid: card, alipay or wechat_pay (through Stripe), or cash at "
                       "handover. Omitted: card when Stripe is configured, else cash. The order's "
                       "`next_action` says what to do next."})
    return_url = ma.fields.Url(load_default=None, require_tld=False, validate=validate.Length(max=500), metadata={
        "description": "Alipay only: where Alipay sends the buyer back after paying."})
    subsidy = ma.fields.Dict(load_default=None, metadata={
        "description": "Retailers' sales only: a subsidy quote body (as for POST /subsidies/quote; the "
                       "purchase price is the order's). The subsidy is reserved and taken off the payment; "
                       "the buyer needs a verified resident ID."})


class PaymentSchema(ma.Schema):
    """Where the buyer's money is. `client_secret` is shown to the buyer only, to confirm the
    card payment with Stripe.js; it is null for cash orders."""
    provider = ma.fields.String(metadata={"description": "stripe | offline | credit (no money to hold)"})
    method = ma.fields.String(metadata={"description": "card | cash | store_credit (store credit paid it all)"})
    status = ma.fields.String()
    currency = ma.fields.String()
    amount_fen = ma.fields.Integer()
    authorised_fen = ma.fields.Integer()
    captured_fen = ma.fields.Integer()
    refunded_fen = ma.fields.Integer()
    client_secret = ma.fields.String(allow_none=True)
    capture_method = ma.fields.String(metadata={
        "description": "manual: held on the card, captured at acceptance. automatic: collected at once and "
                       "held by the platform (escrow) until acceptance; the seller is paid by a transfer."})
    last_error = ma.fields.String(allow_none=True)


class NextActionSchema(ma.Schema):
    """What the buyer must do to pay. `type`: confirm_card (confirm `client_secret` with
    Stripe.js), alipay_handle_redirect (open `url`), wechat_pay_display_qr_code (show `data` or
    `image_data_url` as a QR code to scan in WeChat), pay_on_handover (cash to the seller),
    wait (the payment is being set up: read the order again), none (nothing to do)."""
    type = ma.fields.String(required=True)
    client_secret = ma.fields.String(allow_none=True)
    url = ma.fields.String(allow_none=True)
    return_url = ma.fields.String(allow_none=True)
    data = ma.fields.String(allow_none=True)
    image_data_url = ma.fields.String(allow_none=True)
    hosted_instructions_url = ma.fields.String(allow_none=True)


class OrderSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    listing_id = ma.fields.UUID()
    listing_title = ma.fields.String()
    buyer_id = ma.fields.UUID()
    seller_id = ma.fields.UUID()
    seller_org_id = ma.fields.UUID(allow_none=True)
    offer_id = ma.fields.UUID(allow_none=True)
    price_fen = ma.fields.Integer()
    subsidy_fen = ma.fields.Integer()
    store_credit_fen = ma.fields.Integer(metadata={"description": "Store credit spent on the order (all issuers)."})
    platform_credit_fen = ma.fields.Integer(metadata={
        "description": "Of store_credit_fen, the platform-issued part (the rest is the seller's own "
                       "retailer credit). The platform pays it to the seller."})
    payable_fen = ma.fields.Integer(metadata={
        "description": "What the buyer pays with card or cash: price - subsidy_fen - store_credit_fen, plus "
                       "shipping_fee_fen when shipping_paid_by is buyer."})
    fulfilment = ma.fields.String(metadata={"description": "meetup | shipped"})
    shipping_fee_fen = ma.fields.Integer(metadata={"description": "The shipping fee fixed at placement (0 for a meet-up)."})
    shipping_paid_by = ma.fields.String(metadata={
        "description": "buyer (in payable_fen) | seller (包邮: taken out of the seller's payout)."})
    currency = ma.fields.String()
    platform_fee_bps = ma.fields.Integer()
    payment_method = ma.fields.String(metadata={"description": "card | alipay | wechat_pay | cash | store_credit"})
    status = ma.fields.String()
    labels = i18n.labels_field({"status": "order.status"})
    allowed_next = ma.fields.List(ma.fields.String())
    refunded_fen = ma.fields.Integer()
    reserved_until = ma.fields.DateTime(allow_none=True)
    paid_at = ma.fields.DateTime(allow_none=True)
    handed_over_at = ma.fields.DateTime(allow_none=True)
    accept_by = ma.fields.DateTime(allow_none=True)
    return_deadline = ma.fields.DateTime(allow_none=True, metadata={
        "description": "UTC. When the buyer's next return step is due (RETURN_WINDOW_DAYS): for a delivered "
                       "shipped order, asking for a return (a dispute); after a dispute decided `return`, "
                       "sending the parcel back (POST /orders/{id}/returns). Null when no return step is open "
                       "(meet-up orders, before delivery, after acceptance, once the return lapsed: job `lapse_returns`). "
                       "Past it: 409 `return_window_closed`."})
    accepted_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    cancelled_at = ma.fields.DateTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    attention = ma.fields.String(allow_none=True)
    payment = ma.fields.Nested(PaymentSchema, allow_none=True)
    next_action = ma.fields.Nested(NextActionSchema, allow_none=True, metadata={
        "description": "For the buyer: what to do to pay (null for everyone else)."})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class OrderListArgs(PageArgs):
    role = ma.fields.String(load_default=None, validate=validate.OneOf(("buyer", "seller")))
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class CancelSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=300))


class RefundSchema(ma.Schema):
    amount_fen = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1),
                                   metadata={"description": "Omit for a full refund of what is left."})
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))
