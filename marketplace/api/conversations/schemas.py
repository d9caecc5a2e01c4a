"""Schemas of conversations, messages, blocks and reports."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.pagination import PageArgs
from services.conversations.service import REPORT_REASONS

CONTACT_KINDS = "phone, wechat, qq, url, email"


class ConversationOpenSchema(ma.Schema):
    listing_id = ma.fields.UUID(required=True)
    text = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=2000),
                            metadata={"description": "The first message (optional)."})


class MessageCreateSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MessageSchema(ma.Schema):
    id = ma.fields.UUID()
    conversation_id = ma.fields.UUID()
    sender_id = ma.fields.UUID()
    kind = ma.fields.Function(lambda m: m.kind.value, metadata={"description": "text | photo"})
    text = ma.fields.String(attribute="body", metadata={
        "description": "The text as stored: contact details replaced by ***."})
    masked = ma.fields.Method("_masked", metadata={
        "description": f"What was masked in the text ({CONTACT_KINDS}); empty when nothing."})
    warning = ma.fields.Method("_warning", allow_none=True)
    photo_url = ma.fields.Method("_photo_url", allow_none=True)
    created_at = ma.fields.DateTime()

    def _masked(self, m):
        return m.masked.split(",") if m.masked else []

    def _warning(self, m):
        if not m.masked:
            return None
        return ("为保障交易安全，联系方式已隐藏：平台只保护在平台内付款的交易。"
                " Contact details were hidden: the platform protects only trades paid on the platform.")

    def _photo_url(self, m):
        return f"/api/v1/conversations/photos/{m.id}" if m.photo_key else None


class ConversationEventSchema(ma.Schema):
    at = ma.fields.DateTime()
    type = ma.fields.String(metadata={"description": "offer.made, offer.accepted, order.place, "
                                                     "order.hand_over, dispute.open, …"})
    ref_type = ma.fields.String()
    ref_id = ma.fields.String()
    by = ma.fields.String(allow_none=True)
    amount_fen = ma.fields.Integer(allow_none=True)


class ConversationSchema(ma.Schema):
    id = ma.fields.UUID()
    listing_id = ma.fields.UUID()
    buyer_id = ma.fields.UUID()
    seller_id = ma.fields.UUID()
    created_at = ma.fields.DateTime()
    last_message_at = ma.fields.DateTime()
    unread = ma.fields.Integer(metadata={"description": "Messages from the other side you have not read."})


class ConversationDetailSchema(ConversationSchema):
    events = ma.fields.List(ma.fields.Nested(ConversationEventSchema))
    first_message = ma.fields.Nested(MessageSchema, allow_none=True)


class ConversationPageArgs(PageArgs):
    """Cursor and limit."""


class UnreadSchema(ma.Schema):
    unread = ma.fields.Integer()


class ReportCreateSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    details = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ReportSchema(ma.Schema):
    id = ma.fields.UUID()
    conversation_id = ma.fields.UUID()
    reporter_id = ma.fields.UUID()
    reported_id = ma.fields.UUID()
    reason = ma.fields.String()
    details = ma.fields.String()
    status = ma.fields.Function(lambda r: r.status.value)
    decision_note = ma.fields.String(allow_none=True)
    blocked_sender = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    decided_at = ma.fields.DateTime(allow_none=True)


class ReportDecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(["uphold", "dismiss"]))
    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))
    block_reported = ma.fields.Boolean(load_default=False, metadata={
        "description": "With uphold: the reported user can no longer message the reporter."})


class UserBlockSchema(ma.Schema):
    blocked_id = ma.fields.UUID()
    created_at = ma.fields.DateTime()


class MessagePhotoUploadSchema(ma.Schema):
    file = ma.fields.Raw(metadata={"type": "string", "format": "binary"})
