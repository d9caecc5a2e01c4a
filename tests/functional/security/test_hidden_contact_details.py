"""Contact details hidden with invisible characters or other scripts' digits are still found.

A zero-width space (U+200B) or word joiner (U+2060) inside "13800138000" or a WeChat id, or the
number written in Arabic-Indic digits (١٣٨…), reads the same to a person but slipped past
services.contact_details: listings were published with them and chat passed them on unmasked."""
import pytest

from tests.factories.listings import fridge_payload

HIDDEN = [   # (text, what the refusal names, what must not reach the other side)
    ("电话 138\u200b0013\u200b8000", "phone", "8000"),
    ("加微信 abc\u2060_123456", "WeChat", "123456"),
    ("电话 \u0661\u0663\u0668\u0660\u0660\u0661\u0663\u0668\u0660\u0660\u0660", "phone", "\u0660\u0660\u0660"),
]


@pytest.mark.parametrize("text, kind, secret", HIDDEN)
def test_a_listing_cannot_carry_a_hidden_contact_detail(client, consumer, text, kind, secret):
    r = client.post("/api/v1/listings", json=fridge_payload(description=f"九成新 {text} 自提"),
                    headers=consumer.headers)
    assert r.status_code == 422 and kind in r.json["errors"]["description"][0], r.json


@pytest.mark.parametrize("text, kind, secret", HIDDEN)
def test_chat_masks_a_hidden_contact_detail(client, other_consumer, published_listing, text, kind, secret):
    r = client.post("/api/v1/conversations", headers=other_consumer.headers,
                    json={"listing_id": published_listing["id"], "text": f"方便的话 {text} 细聊"})
    assert r.status_code in (200, 201), r.json
    said = client.get(f"/api/v1/conversations/{r.json['id']}/messages", headers=other_consumer.headers).json
    message = said["items"][-1]
    assert "***" in message["text"] and secret not in message["text"] and message["masked"], message
    assert message["text"].endswith(" 细聊")   # the words around it are kept
