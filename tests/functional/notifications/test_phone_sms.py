"""Phone numbers for text messages, through HTTP: a user records a mainland mobile number (checked,
normalised, only ever shown and logged masked), and the SMS channel sends to it after commit when
their preference is on, never when it is off, and fails cleanly without a number."""
import logging

import pytest
from sqlalchemy import select

from services.audit import AuditEntry
from services.notifications.channels import LogSms
from services.notifications.models import Notification, NotificationDelivery
from services.orders.models import OrderStatus as S
from tests.factories.orders import order_in

SF = "SF1234567890123"


def _set(client, who, phone):
    return client.put("/api/v1/accounts/me/phone", headers=who.headers, json={"phone": phone})


@pytest.mark.parametrize("bad", ["12812345678", "1381234567", "138123456789", "0101234567", "abc", "+1 13812345678"])
def test_only_a_mainland_mobile_number_is_kept(client, buyer, bad):
    r = _set(client, buyer, bad)
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert "phone" in r.json["errors"]
    assert client.get("/api/v1/accounts/me", headers=buyer.headers).json["phone_masked"] is None


def test_the_number_is_kept_whole_but_shown_and_audited_masked(client, session, buyer, stranger):
    r = _set(client, buyer, "+86 138-1234-5678")
    assert r.status_code == 200 and r.json["phone_masked"] == "138****5678", r.json
    assert "13812345678" not in r.get_data(as_text=True)
    assert client.get("/api/v1/accounts/me", headers=buyer.headers).json["phone_masked"] == "138****5678"
    assert "phone" not in client.get(f"/api/v1/accounts/{buyer.id}", headers=stranger.headers).json
    session.expire_all()
    assert session.get(type(buyer.user), buyer.id).phone == "13812345678"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.phone"))
    assert entry.after == {"phone": "138****5678"} and "13812345678" not in str(entry.before)
    r = _set(client, buyer, None)
    assert r.status_code == 200 and r.json["phone_masked"] is None
    assert client.put("/api/v1/accounts/me/phone", json={"phone": "13812345678"}).status_code == 401


def _ship(client, order, seller):
    r = client.post(f"/api/v1/orders/{order.id}/shipments", headers=seller.headers,
                    json={"carrier": "sf", "tracking_number": SF})
    assert r.status_code == 201, r.json


def test_texts_go_to_the_recorded_number_when_the_preference_is_on(sms_app, texts, session, buyer, seller, operator,
                                                                   frozen):
    client = sms_app.test_client()
    assert _set(client, buyer, "13812345678").status_code == 200
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    _ship(client, order, seller)   # "shipped" texts by default
    assert texts == [("13812345678", texts[0][1])] and texts[0][1].startswith("【换新】") and SF in texts[0][1]
    session.expire_all()
    sms = session.scalar(select(NotificationDelivery).join(Notification).where(
        Notification.recipient_id == buyer.id, NotificationDelivery.channel == "sms"))
    assert sms.status == "sent" and sms.attempts == 1


def test_no_text_when_the_preference_is_off(sms_app, texts, session, buyer, seller, operator, frozen):
    client = sms_app.test_client()
    assert _set(client, buyer, "13812345678").status_code == 200
    r = client.put("/api/v1/notifications/preferences", headers=buyer.headers, json={"kinds": {"shipped": {"sms": False}}})
    assert r.status_code == 200, r.json
    _ship(client, order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped"), seller)
    assert texts == []
    assert client.get("/api/v1/notifications", headers=buyer.headers).json["items"][0]["kind"] == "shipped"


def test_without_a_number_the_text_fails_at_once_and_the_request_stands(sms_app, texts, session, stranger, seller,
                                                                        operator, frozen):
    client = sms_app.test_client()
    _ship(client, order_in(session, S.PAID_HELD, buyer=stranger, seller=seller, operator=operator, fulfilment="shipped"), seller)
    session.expire_all()
    sms = session.scalar(select(NotificationDelivery).join(Notification).where(
        Notification.recipient_id == stranger.id, NotificationDelivery.channel == "sms"))
    assert texts == [] and sms.status == "failed" and sms.last_error == "no phone number" and sms.attempts == 1


def test_the_sms_stand_in_logs_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, logger="services.notifications.channels"):
        LogSms().send("13812345678", "【换新】test")
    assert caplog.records and caplog.records[-1].to == "138****5678"
    assert "13812345678" not in caplog.text
