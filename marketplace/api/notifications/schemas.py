"""The notification feed and channel preferences."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.pagination import PageArgs
from services.notifications.templates import KINDS


class FeedArgs(PageArgs):
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "Only unread ones."})
    lang = ma.fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]),
                            metadata={"description": "Language of title and body: zh (中文) or en."})


class NotificationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(metadata={"description": " | ".join(sorted(KINDS))})
    title = ma.fields.String()
    body = ma.fields.String()
    ref_type = ma.fields.String(allow_none=True)
    ref_id = ma.fields.String(allow_none=True)
    read = ma.fields.Boolean()
    read_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class FeedSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True)
    unread_count = ma.fields.Integer()


class ReadAllSchema(ma.Schema):
    marked = ma.fields.Integer()
    unread_count = ma.fields.Integer()


class ChannelsSchema(ma.Schema):
    in_app = ma.fields.Boolean(metadata={"description": "Always true: the feed cannot be switched off."})
    email = ma.fields.Boolean()
    sms = ma.fields.Boolean()


class PreferencesSchema(ma.Schema):
    kinds = ma.fields.Dict(keys=ma.fields.String(validate=validate.Length(max=40)),
                           values=ma.fields.Nested(ChannelsSchema), required=True,
                           validate=validate.Length(max=50),
                           metadata={"description": "kind -> channels; kinds left out keep their setting."})
