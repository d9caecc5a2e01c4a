"""The free-slot query's rules through HTTP: holidays, Beijing working hours, budgets, kinds."""
from datetime import datetime, timedelta, timezone

from services.clock import SHANGHAI
from services.pickups.schedule import Hours, slot_starts
from tests.factories.pickups import EVERY_DAY, XIAODIAN, booking_payload, next_slot, put_offer

AVAIL = "/api/v1/pickups/availability"


def starts(body) -> list[datetime]:
    return [datetime.fromisoformat(s["starts_at"]) for s in body["slots"]]


def test_slots_follow_beijing_hours_and_skip_holidays(client, recycler):
    holiday = next_slot(2).date()
    hours = {"1": [["08:30", "11:30"]], "3": [["13:00", "17:00"]], "5": [["08:00", "12:00"]], "6": [["09:00", "10:00"]],
             "7": [["09:00", "10:00"]], "2": [["07:00", "09:00"]], "4": [["10:00", "16:00"]]}
    put_offer(client, recycler, working_hours=hours, holidays=[holiday.isoformat()], slot_minutes=90)
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["electronics:mobile_phone"], "days": 7})
    assert r.status_code == 200, r.json
    got = starts(r.json["recyclers"][0])
    assert got and all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in got)
    assert holiday not in {s.astimezone(SHANGHAI).date() for s in got}
    for s in got:  # every slot is a whole 90 minutes inside its day's Beijing window
        local = s.astimezone(SHANGHAI)
        (a, b), = hours[str(local.isoweekday())]
        assert a <= local.strftime("%H:%M") and (local + timedelta(minutes=90)).strftime("%H:%M") <= b
    # The same grid as the schedule module gives, from the lead time to the horizon.
    now = datetime.now(timezone.utc)
    grid = slot_starts(Hours.parse(hours, [holiday.isoformat()], 90), now + timedelta(hours=1), now + timedelta(days=7))
    assert set(got) <= set(grid) and len(grid) - len(got) <= 1  # the request ran a moment after `now`


def test_budgets_leave_out_slots_a_pickup_no_longer_fits(client, consumer, recycler):
    o = put_offer(client, recycler, capacity={"count": 2, "volume_l": 500, "weight_kg": None})
    at = next_slot()
    r = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=o["id"]), headers=consumer.headers)
    assert r.status_code == 201, r.json
    q = {"region_code": XIAODIAN, "days": 4}
    fridge = client.get(AVAIL, query_string={**q, "items": ["appliance:refrigerator"]}).json["recyclers"][0]
    assert at not in starts(fridge)  # 50 L left, a fridge needs 450
    phone = client.get(AVAIL, query_string={**q, "items": ["electronics:mobile_phone"]}).json["recyclers"][0]
    slot = next(s for s in phone["slots"] if datetime.fromisoformat(s["starts_at"]) == at)
    assert slot == {"starts_at": at.astimezone(timezone.utc).isoformat(),
                    "ends_at": (at + timedelta(hours=1)).astimezone(timezone.utc).isoformat(),
                    "starts_at_local": at.astimezone(SHANGHAI).isoformat(),
                    "ends_at_local": (at + timedelta(hours=1)).astimezone(SHANGHAI).isoformat(),
                    "remaining_count": 1, "remaining_volume_l": 50, "remaining_weight_kg": None}
    empty = next(s for s in phone["slots"] if datetime.fromisoformat(s["starts_at"]) != at)
    assert empty["remaining_count"] == 2 and empty["remaining_volume_l"] == 500


def test_a_full_recycler_gives_way_to_the_next(client, consumer, recycler, other_recycler):
    put_offer(client, recycler, working_hours={k: [["09:00", "10:00"]] for k in EVERY_DAY}, capacity={"count": 1})
    put_offer(client, other_recycler, depot={"lat": 37.95, "lon": 112.7})
    booked = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["other"], "days": 14, "limit": 1})
    assert booked.json["recyclers"][0]["org_id"] == str(recycler.org_id)
    for s in booked.json["recyclers"][0]["slots"]:
        at = datetime.fromisoformat(s["starts_at"])
        r = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=booked.json["recyclers"][0]["recycler_id"],
                                                               items=[{"category": "other"}]),
                        headers=consumer.headers)
        assert r.status_code == 201, r.json
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["other"], "days": 14, "limit": 1})
    assert [x["org_id"] for x in r.json["recyclers"]] == [str(other_recycler.org_id)]


def test_kinds_not_taken_is_422(client, recycler):
    put_offer(client, recycler, kinds=["electronics"])
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["appliance:refrigerator"]})
    assert r.status_code == 422 and r.json["code"] == "kind_not_accepted"
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["electronics:mobile_phone"]})
    assert r.status_code == 200 and len(r.json["recyclers"]) == 1
