"""Demo conversations: buyers asking about phones before buying, in Chinese and English, one of
them with a seller who types a WeChat id and a phone number, which the platform masks."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import User
from services.conversations import service as conversations
from services.conversations.service import ConversationSettings
from services.listings.models import Category, Listing, Status

# (buyer's question, seller's answer, buyer's reply); the first answer shows the masking.
CHATS = [("电池健康多少？能小刀吗？", "电池 91%，可以小刀，加我微信 wxid_huanxin88 或打 13812345678 细聊",
          "还是在平台下单吧，有保障"),
         ("Is it still available? Any scratches on the screen?", "Yes, still here. No scratches, always had a case.",
          "Great, I'll order it tonight.")]


def seed(session: Session, consumers: list[User]) -> list[str]:
    """Conversations between demo consumers about published phones; returns summary lines."""
    by_id = {u.id: u for u in consumers}
    phones = list(session.scalars(select(Listing).where(
        Listing.status == Status.PUBLISHED, Listing.category == Category.ELECTRONICS, Listing.kind == "mobile_phone",
        Listing.seller_id.in_(list(by_id))).order_by(Listing.created_at.desc()).limit(len(CHATS))))
    masked = 0
    for i, (listing, (question, answer, reply)) in enumerate(zip(phones, CHATS)):
        seller = by_id[listing.seller_id]
        buyer = [u for u in reversed(consumers) if u.id != seller.id][i]
        conv, _, _ = conversations.open_conversation(session, buyer, listing.id, text=question,
                                                     settings=ConversationSettings())
        masked += bool(conversations.post_text(session, seller, conv.id, answer).masked)
        conversations.post_text(session, buyer, conv.id, reply)
    return [f"conversations: {len(phones)} about phones ({masked} with a contact attempt masked)"]
