"""Conversations through HTTP on PostgreSQL: a buyer asks about a listing, both sides talk,
contact details are masked with a warning, unread counts move, offers appear, blocks and reports
work, and nobody else reads the conversation (operators only while handling a report)."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from services.accounts.models import Role
from services.audit import AuditEntry
from services.conversations.models import Conversation
from tests.factories.accounts import make_user
from tests.factories.races import race_clients

API = "/api/v1"


def _open(client, actor, listing_id, text=None):
    return client.post(f"{API}/conversations", json={"listing_id": listing_id, **({"text": text} if text else {})},
                       headers=actor.headers)


def _say(client, actor, conv_id, text):
    return client.post(f"{API}/conversations/{conv_id}/messages", json={"text": text}, headers=actor.headers)


@pytest.fixture
def buyer(session):
    return make_user(session, Role.CONSUMER)


@pytest.fixture
def chat(client, buyer, published_listing):
    r = _open(client, buyer, published_listing["id"], "电池健康多少？能小刀吗")
    assert r.status_code == 201, r.json
    return r.json


def test_buyer_asks_seller_answers_and_unread_counts_move(client, buyer, consumer, chat, published_listing):
    seller = consumer
    assert chat["first_message"]["text"] == "电池健康多少？能小刀吗" and chat["first_message"]["masked"] == []
    again = _open(client, buyer, published_listing["id"])
    assert again.status_code == 200 and again.json["id"] == chat["id"]          # one per buyer and listing

    assert client.get(f"{API}/conversations/unread", headers=seller.headers).json == {"unread": 1}
    listed = client.get(f"{API}/conversations", headers=seller.headers).json["items"]
    assert [(c["id"], c["unread"]) for c in listed] == [(chat["id"], 1)]
    page = client.get(f"{API}/conversations/{chat['id']}/messages", headers=seller.headers).json
    assert [m["text"] for m in page["items"]] == ["电池健康多少？能小刀吗"]
    assert client.get(f"{API}/conversations/unread", headers=seller.headers).json == {"unread": 0}

    r = _say(client, seller, chat["id"], "电池 91%，价格可以少 100")
    assert r.status_code == 201 and r.json["warning"] is None
    assert client.get(f"{API}/conversations/unread", headers=buyer.headers).json == {"unread": 1}
    texts = [m["text"] for m in client.get(f"{API}/conversations/{chat['id']}/messages",
                                           headers=buyer.headers).json["items"]]
    assert texts == ["电池 91%，价格可以少 100", "电池健康多少？能小刀吗"]   # newest first


@pytest.mark.parametrize("text, kinds, hidden", [
    ("加我微信 hx_seller88 细聊", ["wechat"], "hx_seller88"),
    ("call me on 138 1234 5678 or wechat: zhang_wei_99", ["phone", "wechat"], "1234 5678"),
    ("扣扣 12345678 聊", ["qq"], "12345678"),
    ("pay here https://pay.example.com/x instead", ["url"], "pay.example.com"),
])
def test_contact_details_are_masked_with_a_warning(client, consumer, chat, text, kinds, hidden):
    r = _say(client, consumer, chat["id"], text)
    assert r.status_code == 201, r.json
    assert r.json["masked"] == kinds and hidden not in r.json["text"] and "***" in r.json["text"]
    assert "platform" in r.json["warning"] and "平台" in r.json["warning"]


def test_offers_appear_in_the_conversation(client, buyer, chat, published_listing):
    r = client.post(f"{API}/listings/{published_listing['id']}/offers", json={"amount_fen": 200000},
                    headers=buyer.headers)
    assert r.status_code == 201, r.json
    events = client.get(f"{API}/conversations/{chat['id']}", headers=buyer.headers).json["events"]
    assert [(e["type"], e["amount_fen"], e["ref_id"]) for e in events] == [("offer.made", 200000, r.json["id"])]


def test_nobody_else_reads_it_and_operators_only_with_a_report(client, session, buyer, consumer, other_consumer,
                                                               operator, chat):
    conv = chat["id"]
    for path in (f"{API}/conversations/{conv}", f"{API}/conversations/{conv}/messages"):
        assert client.get(path, headers=other_consumer.headers).status_code == 404
        assert client.get(path, headers=operator.headers).status_code == 404
    assert _say(client, other_consumer, conv, "hi").status_code == 404
    assert client.get(f"{API}/conversations", headers=other_consumer.headers).json["items"] == []
    assert client.get(f"{API}/conversations/{conv}").status_code == 401

    r = client.post(f"{API}/conversations/{conv}/reports", json={"reason": "off_platform_payment",
                                                                 "details": "asked me to pay by bank transfer"},
                    headers=buyer.headers)
    assert r.status_code == 201 and r.json["reported_id"] == str(consumer.id)
    assert client.post(f"{API}/conversations/{conv}/reports", json={"reason": "fraud"},
                       headers=buyer.headers).json["id"] == r.json["id"]      # one open report per reporter
    assert client.get(f"{API}/conversation-reports", headers=buyer.headers).status_code == 403
    queue = client.get(f"{API}/conversation-reports", headers=operator.headers).json["items"]
    assert [q["id"] for q in queue] == [r.json["id"]]
    assert client.get(f"{API}/conversations/{conv}/messages", headers=operator.headers).status_code == 200
    reads = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "conversation.read", AuditEntry.actor_id == operator.id))
    assert reads == 1

    d = client.post(f"{API}/conversation-reports/{r.json['id']}/decision",
                    json={"decision": "uphold", "note": "off-platform payment request", "block_reported": True},
                    headers=operator.headers)
    assert d.status_code == 200 and d.json["status"] == "upheld" and d.json["blocked_sender"] is True
    assert client.get(f"{API}/conversations/{conv}", headers=operator.headers).status_code == 404  # handled
    assert _say(client, consumer, conv, "还在吗").json["code"] == "blocked"
    again = client.post(f"{API}/conversation-reports/{r.json['id']}/decision",
                        json={"decision": "dismiss", "note": "x"}, headers=operator.headers)
    assert again.status_code == 409


def test_a_blocked_user_cannot_message_or_open(client, buyer, consumer, chat, published_listing):
    assert client.post(f"{API}/users/{buyer.id}/block", headers=consumer.headers).status_code == 201
    assert client.post(f"{API}/users/{buyer.id}/block", headers=consumer.headers).status_code == 201  # idempotent
    for who in (buyer, consumer):
        r = _say(client, who, chat["id"], "hello")
        assert r.status_code == 403 and r.json["code"] == "blocked"
    assert _open(client, buyer, published_listing["id"], "again?").status_code == 403
    assert client.delete(f"{API}/users/{buyer.id}/block", headers=consumer.headers).status_code == 204
    assert _say(client, buyer, chat["id"], "hello").status_code == 201
    r = client.post(f"{API}/users/{consumer.id}/block", headers=consumer.headers)
    assert r.status_code == 422 and "user_id" in r.json["errors"]


def test_photo_messages_lose_their_exif(client, buyer, other_consumer, chat):
    img, buf = Image.new("RGB", (40, 30), "red"), io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 31.0, 0.0)}
    img.save(buf, format="JPEG", exif=exif)
    r = client.post(f"{API}/conversations/{chat['id']}/photos", headers=buyer.headers,
                    data={"file": (io.BytesIO(buf.getvalue()), "p.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 201 and r.json["kind"] == "photo", r.json
    got = client.get(r.json["photo_url"], headers=buyer.headers)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(got.data)).getexif()
    assert client.get(r.json["photo_url"], headers=other_consumer.headers).status_code == 404
    bad = client.post(f"{API}/conversations/{chat['id']}/photos", headers=buyer.headers,
                      data={"file": (io.BytesIO(b"not an image"), "x.jpg")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "file" in bad.json["errors"]


def test_new_accounts_start_few_conversations(app_with, session, published_listing):
    client = app_with(CONVERSATION_NEW_ACCOUNT_HOURS=72, CONVERSATION_NEW_ACCOUNT_DAILY=0).test_client()
    newcomer = make_user(session, Role.CONSUMER)
    r = _open(client, newcomer, published_listing["id"], "在吗")
    assert r.status_code == 429 and r.json["code"] == "new_account_conversation_limit"
    assert int(r.headers["Retry-After"]) > 0
    assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_bad_input_and_own_listing(client, consumer, buyer, chat, published_listing):
    assert _open(client, consumer, published_listing["id"], "hi").json["code"] == "own_listing"
    r = _say(client, buyer, chat["id"], "")
    assert r.status_code == 422 and "text" in r.json["errors"]
    r = client.post(f"{API}/conversations", json={"listing_id": "nope"}, headers=buyer.headers)
    assert r.status_code == 422 and "listing_id" in r.json["errors"]
    r = client.post(f"{API}/conversations/{chat['id']}/reports", json={"reason": "because"}, headers=buyer.headers)
    assert r.status_code == 422 and "reason" in r.json["errors"]


def test_concurrent_first_contacts_make_one_conversation(app, session, buyer, published_listing):
    answers = race_clients(app, 8, lambda c, i: _open(c, buyer, published_listing["id"], "还在吗？"))
    assert sorted(r.status_code for r in answers) == [200] * 7 + [201]
    assert len({r.json["id"] for r in answers}) == 1
    assert session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_public_profile_shows_standing_and_nothing_private(client, session, buyer, consumer, chat):
    _say(client, consumer, chat["id"], "电池 91%")
    r = client.get(f"{API}/users/{consumer.id}/profile")            # anonymous
    assert r.status_code == 200, r.json
    p = r.json
    assert p["display_name"] == consumer.user.display_name and p["role"] == "consumer"
    assert (p["rating_count"], p["rating_average"], p["completed_trades"]) == (0, None, 0)
    assert p["response_rate"] == 1.0 and p["response_minutes"] is not None
    assert p["real_name_verified"] is False and p["organisation"] is None
    text = r.get_data(as_text=True)
    assert consumer.user.email not in text and "id_last4" not in text and "phone" not in text
    assert client.get(f"{API}/users/{buyer.id}/profile").json["response_rate"] is None   # never asked
    operator = make_user(session, Role.OPERATOR)
    assert client.get(f"{API}/users/{operator.id}/profile").status_code == 404
    shop, unvetted = make_user(session, Role.RETAILER), make_user(session, Role.RETAILER, verified_org=False)
    assert client.get(f"{API}/users/{shop.id}/profile").json["organisation"]["verified"] is True
    assert client.get(f"{API}/users/{unvetted.id}/profile").json["organisation"]["verified"] is False


def test_profile_counts_completed_trades_and_published_ratings(client, session, buyer, consumer, operator):
    from services.orders.models import OrderStatus
    from tests.factories.orders import order_in
    first = order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    order_in(session, OrderStatus.CANCELLED, buyer=buyer, seller=consumer, operator=operator)
    for author, stars in ((buyer, 4), (consumer, 5)):
        r = client.post(f"{API}/orders/{first.id}/reviews", json={"stars": stars, "text": "好"}, headers=author.headers)
        assert r.status_code == 201, r.json
    p = client.get(f"{API}/users/{consumer.id}/profile").json
    assert (p["completed_trades"], p["rating_count"], p["rating_average"]) == (2, 1, 4.0)
    assert client.get(f"{API}/users/{buyer.id}/profile").json["rating_average"] == 5.0
