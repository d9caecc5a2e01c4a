"""The in-app notification feed (newest first, unread count), marking read, and which outside
channels (email, SMS) each kind of notification uses."""
from __future__ import annotations

from marketplace.api.notifications import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from marketplace.uow import unit_of_work
from services.notifications import feed, preferences
from services.notifications.models import Notification
from services.notifications.templates import render_in_feed

blp = Blueprint("notifications", __name__, description="Your notifications and how you get them")


def notification_view(n: Notification, lang: str) -> dict:
    title, body = render_in_feed(n.kind, n.params, lang)
    return {"id": n.id, "kind": n.kind, "title": title, "body": body, "ref_type": n.ref_type, "ref_id": n.ref_id,
            "read": n.read_at is not None, "read_at": n.read_at, "created_at": n.created_at}


@blp.route("/notifications", methods=["GET"])
@blp.arguments(s.FeedArgs, location="query")
@blp.response(200, s.FeedSchema)
def list_notifications(args):
    """Your feed, newest first, in Chinese (`lang=zh`, default) or English, with the unread count."""
    user = require_user()
    rows, nxt = feed.page_for(db.session, user.id, unread=args["unread"], cursor=args["cursor"], limit=args["limit"])
    return {"items": [notification_view(n, args["lang"]) for n in rows], "next_cursor": nxt,
            "unread_count": feed.unread_count(db.session, user.id)}


@blp.route("/notifications/<uuid:notification_id>/read", methods=["POST"])
@blp.response(200, s.NotificationSchema)
def mark_read(notification_id):
    """Mark one of your notifications read (404 for anyone else's)."""
    user = require_user()
    with unit_of_work() as session:
        note = feed.mark_read(session, user.id, notification_id)
    return notification_view(note, "zh")


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, s.ReadAllSchema)
def read_all():
    """Mark every notification of yours read."""
    user = require_user()
    with unit_of_work() as session:
        marked = feed.read_all(session, user.id)
    return {"marked": marked, "unread_count": feed.unread_count(db.session, user.id)}


@blp.route("/notifications/preferences", methods=["GET"])
@blp.response(200, s.PreferencesSchema)
def get_preferences():
    """For each kind: in_app (always), email, sms."""
    user = require_user()
    return {"kinds": preferences.current(db.session, user.id)}


@blp.route("/notifications/preferences", methods=["PUT"])
@blp.arguments(s.PreferencesSchema)
@blp.response(200, s.PreferencesSchema)
def put_preferences(data):
    """Switch email or SMS on or off per kind (unknown kinds are a 422 naming them)."""
    user = require_user()
    with unit_of_work() as session:
        out = preferences.update(session, user.id, data["kinds"])
    return {"kinds": out}
