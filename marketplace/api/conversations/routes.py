"""Conversations between buyers and sellers about a listing, with blocks and reports."""
from __future__ import annotations

from marketplace import container
from marketplace.api.conversations import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uploads import image_response, storage, uploaded_bytes
from marketplace.uow import unit_of_work
from services.conversations import service

blp = Blueprint("conversations", __name__,
                description="Conversations about a listing: messages, photos, unread counts, blocks, reports")


def _with_unread(session, user, convs):
    counts = service.unread_counts(session, user, convs)
    return [{**{c: getattr(conv, c) for c in ("id", "listing_id", "buyer_id", "seller_id", "created_at",
                                              "last_message_at")}, "unread": counts.get(conv.id, 0)}
            for conv in convs]


@blp.route("/conversations", methods=["POST"])
@blp.arguments(s.ConversationOpenSchema)
@blp.response(201, s.ConversationDetailSchema)
def open_conversation(data):
    """Ask the seller about a listing: one conversation per buyer and listing (asking again
    returns it, 200). New accounts may start only a few conversations a day (429)."""
    user = require_user()
    with unit_of_work() as session:
        conv, message, created = service.open_conversation(
            session, user, data["listing_id"], text=data["text"], settings=container.current().deps.conversations)
        body = {**_with_unread(session, user, [conv])[0], "events": service.events(session, conv),
                "first_message": message}
    return body, 201 if created else 200


@blp.route("/conversations", methods=["GET"])
@blp.arguments(s.ConversationPageArgs, location="query")
@blp.response(200, page_of(s.ConversationSchema))
def list_conversations(args):
    """Your conversations as buyer or seller, most recently active first, with unread counts."""
    user = require_user()
    rows, nxt = service.list_for(db.session, user, cursor=args["cursor"], limit=args["limit"])
    return page(_with_unread(db.session, user, rows), nxt)


@blp.route("/conversations/unread", methods=["GET"])
@blp.response(200, s.UnreadSchema)
def unread():
    """Unread messages across your conversations."""
    return {"unread": service.unread_total(db.session, require_user())}


@blp.route("/conversations/<uuid:conversation_id>", methods=["GET"])
@blp.response(200, s.ConversationDetailSchema)
def get_conversation(conversation_id):
    """One conversation with its offer, order and dispute events. Operators see it only while
    a report about it is open or a dispute exists between the two (audited)."""
    user = require_user()
    with unit_of_work() as session:
        conv, _ = service.readable(session, user, conversation_id)
        return {**_with_unread(session, user, [conv])[0], "events": service.events(session, conv),
                "first_message": None}


@blp.route("/conversations/<uuid:conversation_id>/messages", methods=["GET"])
@blp.arguments(s.ConversationPageArgs, location="query")
@blp.response(200, page_of(s.MessageSchema))
def list_messages(args, conversation_id):
    """Messages, newest first; reading marks the conversation read for your side."""
    user = require_user()
    with unit_of_work() as session:
        return page(*service.messages(session, user, conversation_id, cursor=args["cursor"], limit=args["limit"]))


@blp.route("/conversations/<uuid:conversation_id>/messages", methods=["POST"])
@blp.arguments(s.MessageCreateSchema)
@blp.response(201, s.MessageSchema)
def post_message(data, conversation_id):
    """Send a text message. Phone numbers, WeChat or QQ ids, links and emails are masked, and
    the answer carries a warning: the platform protects only trades paid on the platform."""
    user = require_user()
    with unit_of_work() as session:
        return service.post_text(session, user, conversation_id, data["text"])


@blp.route("/conversations/<uuid:conversation_id>/photos", methods=["POST"])
@blp.arguments(s.MessagePhotoUploadSchema, location="files")
@blp.response(201, s.MessageSchema)
def post_photo(files, conversation_id):
    """Send a photo (JPEG, PNG or WebP; EXIF, including GPS, removed)."""
    user = require_user()
    with unit_of_work() as session:
        return service.post_photo(session, storage(), user, conversation_id, uploaded_bytes())


@blp.route("/conversations/photos/<uuid:message_id>", methods=["GET"])
@blp.response(200, content_type="image/*")
def get_photo(message_id):
    """A photo sent in a conversation, for its two sides (and operators handling a report)."""
    user = require_user()
    with unit_of_work() as session:
        msg = service.photo(session, user, message_id)
    return image_response(storage().get(msg.photo_key), msg.photo_type, public=False)


@blp.route("/conversations/<uuid:conversation_id>/reports", methods=["POST"])
@blp.arguments(s.ReportCreateSchema)
@blp.response(201, s.ReportSchema)
def report(data, conversation_id):
    """Report the other side to operators (fraud, off-platform payment, harassment, …)."""
    user = require_user()
    with unit_of_work() as session:
        return service.report(session, user, conversation_id, reason=data["reason"], details=data["details"])


@blp.route("/conversation-reports", methods=["GET"])
@blp.arguments(s.ConversationPageArgs, location="query")
@blp.response(200, page_of(s.ReportSchema))
def open_reports(args):
    """Operators: open reports, newest first."""
    return page(*service.open_reports(db.session, require_user(), cursor=args["cursor"], limit=args["limit"]))


@blp.route("/conversation-reports/<uuid:report_id>/decision", methods=["POST"])
@blp.arguments(s.ReportDecisionSchema)
@blp.response(200, s.ReportSchema)
def decide(data, report_id):
    """Operators: uphold or dismiss a report, with a note (audited)."""
    user = require_user()
    with unit_of_work() as session:
        return service.decide(session, user, report_id, uphold=data["decision"] == "uphold", note=data["note"],
                              block_reported=data["block_reported"])


@blp.route("/users/<uuid:user_id>/block", methods=["POST"])
@blp.response(201, s.UserBlockSchema)
def block(user_id):
    """Block a user: neither of you can message the other."""
    user = require_user()
    with unit_of_work() as session:
        return service.block(session, user, user_id)


@blp.route("/users/<uuid:user_id>/block", methods=["DELETE"])
@blp.response(204)
def unblock(user_id):
    """Lift your block of a user."""
    user = require_user()
    with unit_of_work() as session:
        service.unblock(session, user, user_id)
