"""Notifications through HTTP: the in-app feed (cursor pages, unread count, read, read-all), channel
preferences, real email to a real SMTP server sent after commit, at most once per event and
channel (retried and concurrent jobs), and a request that never fails because sending fails."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import jobs
from services.flows.addresses import ADDRESSES
from services.notifications import delivery, feed
from services.notifications.channels import LogSms, SmtpMailer
from services.notifications.models import Notification, NotificationDelivery
from services.orders.models import OrderStatus as S
from services.orders import reminders
from tests.factories.listings import fridge_payload
from tests.factories.orders import order_in, publish, stripe_gateway
from tests.factories.races import race

SF = "SF1234567890123"


def _note(session, actor, n: int, kind="offer_received"):
    out = feed.notify(session, actor.id, kind, event_key=f"test:{n}", params={"title": f"物品{n}", "amount": "¥1.00"})
    session.commit()
    return out


def _deliveries(session, actor):
    session.expire_all()
    return session.scalars(select(NotificationDelivery).join(Notification).where(
        Notification.recipient_id == actor.id).order_by(NotificationDelivery.channel)).all()


def test_the_feed_pages_counts_and_marks_read(client, session, buyer, stranger, frozen):
    for n in range(3):
        _note(session, buyer, n)
        frozen.advance(timedelta(minutes=1))
    first = client.get("/api/v1/notifications?limit=2", headers=buyer.headers).json
    assert first["unread_count"] == 3 and [i["title"] for i in first["items"]] == ["收到新的出价"] * 2
    assert "物品2" in first["items"][0]["body"] and first["next_cursor"]
    rest = client.get(f"/api/v1/notifications?limit=2&cursor={first['next_cursor']}", headers=buyer.headers).json
    assert len(rest["items"]) == 1 and "物品0" in rest["items"][0]["body"] and rest["next_cursor"] is None
    newest = first["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{newest}/read", headers=stranger.headers).status_code == 404
    r = client.post(f"/api/v1/notifications/{newest}/read", headers=buyer.headers)
    assert r.status_code == 200 and r.json["read"] is True
    assert client.get("/api/v1/notifications?unread=true", headers=buyer.headers).json["unread_count"] == 2
    assert len(client.get("/api/v1/notifications?unread=true", headers=buyer.headers).json["items"]) == 2
    r = client.post("/api/v1/notifications/read-all", headers=buyer.headers)
    assert r.json == {"marked": 2, "unread_count": 0}
    assert client.get("/api/v1/notifications", headers=stranger.headers).json == {
        "items": [], "next_cursor": None, "unread_count": 0}
    assert client.get("/api/v1/notifications").status_code == 401


def test_one_event_is_one_notification(session, buyer):
    assert _note(session, buyer, 1) is not None
    assert _note(session, buyer, 1) is None   # the same event again (a retried request or job)
    assert len(session.scalars(select(Notification).where(Notification.recipient_id == buyer.id)).all()) == 1


def test_preferences_choose_the_outside_channels(ship_client, session, buyer, seller, operator, inbox, frozen):
    prefs = ship_client.get("/api/v1/notifications/preferences", headers=buyer.headers).json["kinds"]
    assert prefs["shipped"] == {"in_app": True, "email": True, "sms": True}
    assert prefs["offer_received"] == {"in_app": True, "email": True, "sms": False}
    r = ship_client.put("/api/v1/notifications/preferences", headers=buyer.headers,
                        json={"kinds": {"shipped": {"email": False, "sms": False}}})
    assert r.status_code == 200 and r.json["kinds"]["shipped"] == {"in_app": True, "email": False, "sms": False}
    r = ship_client.put("/api/v1/notifications/preferences", headers=buyer.headers,
                        json={"kinds": {"teleported": {"email": True}, "delivered": {"in_app": False}}})
    assert r.status_code == 422 and set(r.json["errors"]) == {"teleported", "delivered"}
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    assert ship_client.post(f"/api/v1/orders/{order.id}/shipments", headers=seller.headers,
                            json={"carrier": "sf", "tracking_number": SF}).status_code == 201
    assert _deliveries(session, buyer) == [] and inbox.messages == []   # the feed only, as chosen
    assert ship_client.get("/api/v1/notifications", headers=buyer.headers).json["unread_count"] == 1


def test_email_goes_once_through_the_real_smtp_server_even_when_the_job_runs_again(
        ship_app, session, buyer, inbox):
    _note(session, buyer, 7)
    assert jobs.run_job(ship_app, jobs.scheduled(delivery.deliver_due)) == 1
    assert jobs.run_job(ship_app, jobs.scheduled(delivery.deliver_due)) == 0   # retried job: nothing again
    assert len(inbox.messages) == 1 and inbox.messages[0]["to"] == [buyer.user.email]
    assert "收到新的出价 / New offer" == inbox.messages[0]["subject"]
    assert "物品7" in inbox.messages[0]["body"] and "Someone offered ¥1.00" in inbox.messages[0]["body"]
    [d] = _deliveries(session, buyer)
    assert (d.channel, d.status, d.attempts) == ("email", "sent", 1)


def test_a_delivery_claimed_by_a_job_that_died_is_never_sent_again(ship_app, session, buyer, inbox):
    _note(session, buyer, 8)
    [d] = _deliveries(session, buyer)
    d.status, d.attempts = "sending", 1   # claimed and committed, then the worker died before the outcome
    session.commit()
    assert jobs.run_job(ship_app, jobs.scheduled(delivery.deliver_due)) == 0
    assert inbox.messages == []


def test_two_concurrent_jobs_send_each_email_once(ship_app, smtp_server, session, buyer, inbox):
    for n in range(5):
        _note(session, buyer, n)
    mailer = SmtpMailer("127.0.0.1", smtp_server.port)

    def job(s):
        return delivery.deliver_due(s, mailer=mailer, sms=LogSms(), addresses=ADDRESSES, checkpoint=s.commit)
    outcomes = race(ship_app, [job, job])
    assert sum(outcomes) == 5 and len(inbox.messages) == 5
    assert sorted(m["body"].split("」")[0] for m in inbox.messages) == [f"有人对「物品{n}" for n in range(5)]


def test_a_request_never_fails_because_email_cannot_be_sent(mail_down_app, session, buyer, seller, operator):
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    r = mail_down_app.test_client().post(f"/api/v1/orders/{order.id}/shipments", headers=seller.headers,
                                         json={"carrier": "sf", "tracking_number": SF})
    assert r.status_code == 201, r.json
    email, sms = _deliveries(session, buyer)
    assert (email.status, email.attempts) == ("pending", 1) and email.last_error.startswith("smtp:")
    assert email.due_at > order.paid_at   # retried later by the periodic job
    assert (sms.status, sms.last_error) == ("failed", "no phone number")   # no number on file: not retried


def test_events_across_the_marketplace_reach_the_feed(client, session, buyer, seller, stranger, operator, frozen):
    listing = publish(session, seller, operator, fridge_payload(negotiable=True))
    r = client.post(f"/api/v1/listings/{listing.id}/offers", json={"amount_fen": 140000}, headers=buyer.headers)
    assert r.status_code == 201, r.json
    paid = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    disputed = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)
    handed = order_in(session, S.HANDED_OVER, buyer=buyer, seller=stranger, operator=operator)  # 3 listings each
    kinds = sorted((n["kind"], n["ref_id"]) for n in client.get("/api/v1/notifications?limit=100",
                                                                headers=seller.headers).json["items"])
    assert kinds == sorted([("offer_received", r.json["id"]), ("order_paid", str(paid.id)),
                            ("dispute_opened", str(disputed.id))])
    frozen.advance(timedelta(days=6, hours=1))   # the acceptance window ends within 24 hours
    assert reminders.remind_acceptance_closing(session) == 1
    assert reminders.remind_acceptance_closing(session) == 0
    session.commit()
    closing = client.get("/api/v1/notifications?lang=en", headers=buyer.headers).json["items"][0]
    assert closing["kind"] == "acceptance_closing" and closing["ref_id"] == str(handed.id)
    assert "accepted automatically" in closing["body"]
