"""Times shown to people are China Standard Time with the offset; the API keeps UTC. Pickup states
carry labels in the language asked for."""
from datetime import datetime, timedelta, timezone

from services.clock import SHANGHAI
from services.notifications import sent_to
from tests.factories.pickups import XIAODIAN, booking_payload, next_slot

AVAIL = "/api/v1/pickups/availability"


def test_free_slots_show_beijing_time_beside_utc(client, offer):
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": "appliance:refrigerator"})
    slots = r.json["recyclers"][0]["slots"]
    assert slots
    for s in slots:
        utc, local = datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["starts_at_local"])
        assert utc.utcoffset() == timedelta(0) and local.utcoffset() == timedelta(hours=8)
        assert utc == local and datetime.fromisoformat(s["ends_at_local"]) == datetime.fromisoformat(s["ends_at"])
    nine = next_slot(2, 9)
    slot = next(s for s in slots if datetime.fromisoformat(s["starts_at"]) == nine)
    assert slot["starts_at_local"] == f"{nine.date().isoformat()}T09:00:00+08:00"
    assert slot["starts_at"] == nine.astimezone(timezone.utc).isoformat()


def test_the_confirmation_prints_beijing_time_with_its_offset(client, session, consumer, offer):
    at = next_slot(2, 9)
    r = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]), headers=consumer.headers)
    assert r.status_code == 201, r.json
    msg = sent_to(session, consumer.id, "pickup_confirmed")[-1]
    day = at.astimezone(SHANGHAI).date().isoformat()
    assert f"{day} 09:00-10:00 (UTC+08:00)" in msg.body and "北京时间" in msg.body
    assert msg.data["starts_at_local"] == f"{day}T09:00:00+08:00"


def test_a_pickup_status_is_labelled(client, consumer, offer):
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=offer["id"]),
                    headers={**consumer.headers, "Accept-Language": "en"})
    assert r.json["labels"] == {"status": {"requested": "Requested", "confirmed": "Confirmed"}[r.json["status"]]}
    assert r.headers["Content-Language"] == "en"
    zh = client.get(f"/api/v1/pickups/{r.json['id']}", headers=consumer.headers)
    assert zh.json["labels"]["status"] in ("已预约", "已确认") and zh.headers["Content-Language"] == "zh-CN"
