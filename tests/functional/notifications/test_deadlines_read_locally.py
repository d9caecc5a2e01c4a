"""Deadlines in notification texts are China Standard Time, offset written out (services/clock.py).

The README promises that what people read is Beijing time; the delivered, acceptance-closing and
missed-shipping texts printed `2026-12-12 04:29 UTC`, eight hours off from the buyer's wall clock."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from marketplace import jobs
from services.orders import reminders
from services.orders.models import OrderStatus as S
from services.shipping import jobs as shipping_jobs
from tests.factories.orders import order_in
from tests.factories.shipping import post_carrier_event, tracking_event

SF = "SF1234567890123"


def _beijing(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _latest(client, buyer, lang):
    return client.get(f"/api/v1/notifications?lang={lang}", headers=buyer.headers).json["items"][0]


def _reads_locally(note, when):
    assert f"{when} (UTC+08:00)" in note["body"] and " UTC." not in note["body"], note["body"]


def test_delivery_and_closing_notices_give_the_acceptance_deadline_in_beijing_time(
        ship_client, ship_app, session, buyer, seller, operator, frozen):
    paid = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    r = ship_client.post(f"/api/v1/orders/{paid.id}/shipments", headers=seller.headers,
                         json={"carrier": "sf", "tracking_number": SF})
    assert r.status_code == 201, r.json
    frozen.advance(timedelta(hours=30))
    assert post_carrier_event(ship_client, "sf", tracking_event(SF, "delivered", frozen.now())).status_code == 200
    accept_by = _beijing(ship_client.get(f"/api/v1/orders/{paid.id}", headers=buyer.headers).json["accept_by"])
    for lang in ("zh", "en"):
        note = _latest(ship_client, buyer, lang)
        assert note["kind"] == "delivered"
        _reads_locally(note, accept_by)
    frozen.advance(timedelta(days=6, hours=12))
    assert jobs.run_job(ship_app, jobs.scheduled(reminders.remind_acceptance_closing)) == 1
    note = _latest(ship_client, buyer, "en")
    assert note["kind"] == "acceptance_closing"
    _reads_locally(note, accept_by)


def test_the_missed_shipping_notice_gives_the_deadline_in_beijing_time(ship_client, ship_app, session, buyer,
                                                                        seller, operator, frozen):
    paid = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    frozen.advance(timedelta(days=3, minutes=1))
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.notify_missed_deadlines)) == 1
    note = _latest(ship_client, buyer, "zh")
    assert note["kind"] == "shipping_deadline_missed"
    _reads_locally(note, _beijing((paid.paid_at + timedelta(days=3)).isoformat()))
