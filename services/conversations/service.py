"""Conversations before (and during) a trade: one per buyer and listing, text and photo
messages, unread counts, the offer, order and dispute events of the same buyer and listing,
blocks, and reports that operators review.

Privacy: a conversation is read by its two sides (the listing's seller and the staff of the
listing's organisation on the seller side) and by an operator only while a report about it is
open or a dispute exists on an order between the two; every operator read is audited.

Contact details (phone numbers, WeChat/QQ ids, links, emails) are masked in the stored text and
the sender is warned: the platform's protection covers only trades paid on the platform."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import DateTime, and_, case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, contact_details, pagination
from services.accounts.models import User
from services.audit import AuditEntry
from services.conversations.models import (Block, Conversation, Message, MessageKind, Report,
                                           ReportStatus)
from services.disputes.models import Dispute
from services.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from services.listings.interface import sanitise_photo
from services.listings import interface as listings
from services.listings.models import Listing
from services.offers.models import Offer
from services.orders.models import Order
from services.storage import Storage, put_on_commit

REPORT_REASONS = ("off_platform_payment", "fraud", "harassment", "spam", "prohibited_item", "other")
MASK = "***"


@dataclass(frozen=True)
class ConversationSettings:
    """Limits on first messages from new accounts (spam and fraud start there)."""
    new_account_hours: int = 72
    new_account_daily_conversations: int = 5


def is_blocked(session: Session, a, b) -> bool:
    """Whether either user blocked the other."""
    return session.scalar(select(func.count()).select_from(Block).where(or_(
        and_(Block.blocker_id == a, Block.blocked_id == b),
        and_(Block.blocker_id == b, Block.blocked_id == a)))) > 0


def _check_new_account(session: Session, user: User, settings: ConversationSettings) -> None:
    now = clock.now(session)
    if user.created_at > now - timedelta(hours=settings.new_account_hours):
        opened = session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.buyer_id == user.id, Conversation.created_at > now - timedelta(days=1)))
        if opened >= settings.new_account_daily_conversations:
            raise TooManyRequests(f"new accounts may start {settings.new_account_daily_conversations} "
                                  "conversations a day; try again later", code="new_account_conversation_limit",
                                  retry_after=3600)


def open_conversation(session: Session, buyer: User, listing_id, *, text: str | None,
                      settings: ConversationSettings) -> tuple[Conversation, Message | None, bool]:
    """The buyer's conversation about the listing, created on first contact (one per buyer and
    listing, whatever the race), with the first message when `text` is given.
    Returns (conversation, message, created)."""
    listing = listings.get(session, listing_id, buyer)
    if listing.status.value not in ("published", "reserved", "sold"):
        raise Conflict("the listing is not on sale", code="listing_not_on_sale")
    if listings.can_manage(buyer, listing):
        raise Forbidden("you cannot message yourself about your own listing", code="own_listing")
    if buyer.is_operator:
        raise Forbidden("operators do not open conversations", code="role_not_allowed")
    if is_blocked(session, buyer.id, listing.seller_id):
        raise Forbidden("you cannot message this seller", code="blocked")
    conv = session.scalar(select(Conversation).where(Conversation.listing_id == listing.id,
                                                     Conversation.buyer_id == buyer.id))
    created = False
    if conv is None:
        _check_new_account(session, buyer, settings)
        conv = Conversation(id=uuid.uuid4(), listing_id=listing.id, buyer_id=buyer.id,
                            seller_id=listing.seller_id, created_at=clock.now(session), last_message_at=clock.now(session))
        try:
            with session.begin_nested():
                session.add(conv)
                session.flush()
            created = True
        except IntegrityError:  # another request of the same buyer won the race
            conv = session.scalar(select(Conversation).where(Conversation.listing_id == listing.id,
                                                             Conversation.buyer_id == buyer.id))
    message = _add_text(session, conv, buyer, text) if text else None
    return conv, message, created


def _participant(session: Session, user: User, conversation_id) -> tuple[Conversation, str]:
    """The conversation and the user's side in it; NotFound for anyone who is not a party."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("no such conversation")
    if user.id == conv.buyer_id:
        return conv, "buyer"
    if listings.can_manage(user, session.get(Listing, conv.listing_id)):
        return conv, "seller"
    raise NotFound("no such conversation")


def _other_party(conv: Conversation, side: str):
    return conv.seller_id if side == "buyer" else conv.buyer_id


def _touch(conv: Conversation, side: str, now) -> None:
    conv.last_message_at = now
    if side == "buyer":
        conv.buyer_read_at = now
    else:
        conv.seller_read_at = now


def _add_text(session: Session, conv: Conversation, sender: User, text: str) -> Message:
    side = "buyer" if sender.id == conv.buyer_id else "seller"
    if is_blocked(session, sender.id, _other_party(conv, side)):
        raise Forbidden("you cannot message this user", code="blocked")
    findings = contact_details.find(text)
    body = contact_details.mask(text, MASK) if findings else text
    message = Message(id=uuid.uuid4(), conversation_id=conv.id, sender_id=sender.id, kind=MessageKind.TEXT,
                      body=body, created_at=clock.now(session),
                      masked=",".join(dict.fromkeys(f.kind for f in findings)) or None)
    session.add(message)
    _touch(conv, side, clock.now(session))
    session.flush()
    return message


def post_text(session: Session, user: User, conversation_id, text: str) -> Message:
    """A text message from either side; contact details are masked (the message says which)."""
    conv, _ = _participant(session, user, conversation_id)
    if not text.strip():
        raise ValidationFailed("empty message", fields={"text": ["Write something."]})
    return _add_text(session, conv, user, text)


def post_photo(session: Session, storage: Storage, user: User, conversation_id, data: bytes) -> Message:
    """A photo message: type read from the bytes, EXIF (GPS included) removed, as for listings."""
    conv, side = _participant(session, user, conversation_id)
    if is_blocked(session, user.id, _other_party(conv, side)):
        raise Forbidden("you cannot message this user", code="blocked")
    clean, content_type, _, _ = sanitise_photo(data)
    message = Message(id=uuid.uuid4(), conversation_id=conv.id, sender_id=user.id, kind=MessageKind.PHOTO,
                      body="", photo_type=content_type, created_at=clock.now(session))
    message.photo_key = f"conversations/{conv.id}/{message.id}"
    session.add(message)
    _touch(conv, side, clock.now(session))
    session.flush()
    put_on_commit(session, storage, message.photo_key, clean, content_type)
    return message


def _can_operator_read(session: Session, conv: Conversation) -> bool:
    open_report = session.scalar(select(func.count()).select_from(Report).where(
        Report.conversation_id == conv.id, Report.status == ReportStatus.OPEN))
    if open_report:
        return True
    return session.scalar(select(func.count()).select_from(Dispute).join(Order, Order.id == Dispute.order_id).where(
        Order.listing_id == conv.listing_id, Order.buyer_id == conv.buyer_id)) > 0


def readable(session: Session, viewer: User, conversation_id) -> tuple[Conversation, str]:
    """The conversation and the viewer's side ("buyer", "seller" or "operator"); NotFound for
    anyone else, and for an operator with no open report or dispute to handle."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise NotFound("no such conversation")
    if viewer.is_operator:
        if not _can_operator_read(session, conv):
            raise NotFound("no such conversation")
        audit.record(session, viewer.id, "conversation.read", "conversation", conv.id,
                     reason="open report or dispute")
        return conv, "operator"
    return _participant(session, viewer, conversation_id)


def messages(session: Session, viewer: User, conversation_id, *, cursor, limit):
    """Messages newest first; reading them marks the conversation read for the viewer's side."""
    conv, side = readable(session, viewer, conversation_id)
    if side == "buyer":
        conv.buyer_read_at = clock.now(session)
    elif side == "seller":
        conv.seller_read_at = clock.now(session)
    session.flush()
    stmt = select(Message).where(Message.conversation_id == conv.id)
    return pagination.page(session, stmt, Message, cursor, limit)


def photo(session: Session, viewer: User, message_id) -> Message:
    msg = session.get(Message, message_id)
    if msg is None or msg.kind is not MessageKind.PHOTO:
        raise NotFound("no such photo")
    readable(session, viewer, msg.conversation_id)
    return msg


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def unread_counts(session: Session, user: User, convs: list[Conversation]) -> dict:
    """{conversation id: messages from the other side the user has not read}, in one query."""
    if not convs:
        return {}
    read_at = case((Conversation.buyer_id == user.id, Conversation.buyer_read_at), else_=Conversation.seller_read_at)
    rows = session.execute(
        select(Message.conversation_id, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.conversation_id.in_([c.id for c in convs]), Message.sender_id != user.id,
               Message.created_at > func.coalesce(read_at, literal(_EPOCH, DateTime(timezone=True))))
        .group_by(Message.conversation_id))
    return dict(rows.all())


def list_for(session: Session, user: User, *, cursor, limit):
    """The user's conversations (as buyer, or on the seller side of their listings), most
    recently active first, each with its unread count."""
    org_ids = list(user.org_ids())
    seller_side = Conversation.seller_id == user.id
    if org_ids:
        from_orgs = select(Listing.id).where(Listing.org_id.in_(org_ids))
        seller_side = or_(seller_side, Conversation.listing_id.in_(from_orgs))
    stmt = select(Conversation).where(or_(Conversation.buyer_id == user.id, seller_side))
    return pagination.page(session, stmt, Conversation, cursor, limit, order_col="last_message_at")


def unread_total(session: Session, user: User) -> int:
    """Unread messages across the conversations the user takes part in as buyer or seller."""
    read_at = case((Conversation.buyer_id == user.id, Conversation.buyer_read_at), else_=Conversation.seller_read_at)
    return session.scalar(select(func.count()).select_from(Message)
                          .join(Conversation, Conversation.id == Message.conversation_id)
                          .where(Message.sender_id != user.id,
                                 or_(Conversation.buyer_id == user.id, Conversation.seller_id == user.id),
                                 Message.created_at > func.coalesce(read_at, literal(_EPOCH, DateTime(timezone=True)))))


def events(session: Session, conv: Conversation) -> list[dict]:
    """The offers, orders and disputes between this buyer and listing, as a timeline (oldest
    first): made, countered, accepted, paid, shipped, disputed, resolved… From the records the
    other domains keep, so nothing has to remember to post into the conversation."""
    out = []
    offers_ = session.scalars(select(Offer).where(Offer.listing_id == conv.listing_id,
                                                  Offer.buyer_id == conv.buyer_id))
    for o in offers_:
        out.append({"at": o.created_at, "type": "offer.made", "ref_type": "offer", "ref_id": str(o.id),
                    "by": o.made_by.value, "amount_fen": o.amount_fen})
        if o.responded_at is not None:
            out.append({"at": o.responded_at, "type": f"offer.{o.status.value}", "ref_type": "offer",
                        "ref_id": str(o.id), "by": None, "amount_fen": o.amount_fen})
    order_ids = [str(i) for i in session.scalars(select(Order.id).where(
        Order.listing_id == conv.listing_id, Order.buyer_id == conv.buyer_id))]
    dispute_ids = [str(i) for i in session.scalars(select(Dispute.id).where(
        Dispute.order_id.in_([uuid.UUID(i) for i in order_ids])))] if order_ids else []
    if order_ids:
        trail = session.scalars(select(AuditEntry).where(or_(
            and_(AuditEntry.target_type == "order", AuditEntry.target_id.in_(order_ids)),
            and_(AuditEntry.target_type == "dispute", AuditEntry.target_id.in_(dispute_ids or ["-"])))))
        for e in trail:
            out.append({"at": e.at, "type": e.action, "ref_type": e.target_type, "ref_id": e.target_id,
                        "by": None, "amount_fen": None})
    return sorted(out, key=lambda e: e["at"])


def block(session: Session, user: User, other_id) -> Block:
    """Block a user: neither can message the other or open a conversation with the other."""
    if other_id == user.id:
        raise ValidationFailed("cannot block yourself", fields={"user_id": ["You cannot block yourself."]})
    if session.get(User, other_id) is None:
        raise NotFound("no such user")
    found = session.scalar(select(Block).where(Block.blocker_id == user.id, Block.blocked_id == other_id))
    if found:
        return found
    row = Block(id=uuid.uuid4(), blocker_id=user.id, blocked_id=other_id, created_at=clock.now(session))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        row = session.scalar(select(Block).where(Block.blocker_id == user.id, Block.blocked_id == other_id))
    return row


def unblock(session: Session, user: User, other_id) -> None:
    session.execute(Block.__table__.delete().where(Block.blocker_id == user.id, Block.blocked_id == other_id))


def report(session: Session, user: User, conversation_id, *, reason: str, details: str) -> Report:
    """Report the other side of a conversation to operators (one open report per reporter)."""
    conv, side = _participant(session, user, conversation_id)
    existing = session.scalar(select(Report).where(Report.conversation_id == conv.id, Report.reporter_id == user.id,
                                                   Report.status == ReportStatus.OPEN))
    if existing:
        return existing
    row = Report(id=uuid.uuid4(), conversation_id=conv.id, reporter_id=user.id,
                 reported_id=_other_party(conv, side), reason=reason, details=details or "", created_at=clock.now(session))
    session.add(row)
    session.flush()
    return row


def open_reports(session: Session, operator: User, *, cursor, limit):
    if not operator.is_operator:
        raise Forbidden("operators only", code="operator_only")
    stmt = select(Report).where(Report.status == ReportStatus.OPEN)
    return pagination.page(session, stmt, Report, cursor, limit)


def decide(session: Session, operator: User, report_id, *, uphold: bool, note: str, block_reported: bool) -> Report:
    """An operator's decision on a report, audited; upholding may block the reported user from
    the reporter for good."""
    if not operator.is_operator:
        raise Forbidden("operators only", code="operator_only")
    row = session.scalar(select(Report).where(Report.id == report_id).with_for_update())
    if row is None:
        raise NotFound("no such report")
    if row.status is not ReportStatus.OPEN:
        raise Conflict("the report was already decided", code="report_decided")
    before = {"status": row.status.value}
    row.status = ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED
    row.decided_by, row.decided_at, row.decision_note = operator.id, clock.now(session), note
    if uphold and block_reported:
        reporter = session.get(User, row.reporter_id)
        block(session, reporter, row.reported_id)
        row.blocked_sender = True
    audit.record(session, operator.id, f"conversation_report.{row.status.value}", "conversation_report", row.id,
                 before=before, after={"status": row.status.value, "blocked": row.blocked_sender}, reason=note)
    session.flush()
    return row


def mark_read(session: Session, user: User, conversation_id) -> Conversation:
    conv, side = _participant(session, user, conversation_id)
    session.execute(update(Conversation).where(Conversation.id == conv.id).values(
        **{f"{side}_read_at": clock.now(session)}))
    session.refresh(conv)
    return conv
