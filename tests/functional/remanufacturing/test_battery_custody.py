"""NEV traction battery custody at scrappage: the pack code recorded against the VIN from the
scrappage voucher, 车电一体 (no battery: incomplete vehicle), hand-over only to listed recipients,
the custody log with working-day reporting deadlines, and the platform export."""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import datetime, timedelta

import pytest

from services import clock
from services.accounts.models import Role, User
from services.errors import InvalidState
from services.batteries import custody as batteries
from tests.factories.accounts import make_user, uscc
from tests.factories.listings import vin
from tests.factories.pickups import booking_payload, facility, next_slot, put_offer
from tests.factories.races import race

BASE = "/api/v1/remanufacturing"
PACK = "03HPE0Z1A0000B6C4A0000123"



def scrapped_nev_voucher(client, consumer, recycler, operator) -> tuple[str, str]:
    """A scrapped NEV collected by `recycler` (an authorised dismantler): (VIN, voucher number)."""
    put_offer(client, recycler, kinds=["vehicle"], dismantler_licence_no="晋A-拆-001")
    o = client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/authorisation",
                    json={"authorised_dismantler": True}, headers=operator.headers).json
    yard = facility(client, recycler, tier="dismantler", name="太原报废车拆解厂")
    client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/collectors", json={"user_id": str(recycler.id)},
                headers=recycler.headers)
    v17 = vin()
    b = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=o["id"], items=[
        {"category": "vehicle", "kind": "passenger_car", "vin": v17}]), headers=consumer.headers).json
    for path, body in (("assign", {}), ("transitions", {"to": "en_route"}), ("transitions", {"to": "arrived"})):
        assert client.post(f"/api/v1/pickups/{b['id']}/{path}", json=body, headers=recycler.headers).status_code == 200
    r = client.post(f"/api/v1/pickups/{b['id']}/collect", headers=recycler.headers, json={
        "items": [{"item_id": b["items"][0]["id"], "weight_g": 1_650_000}], "facility_id": yard["id"]})
    assert r.status_code == 201, r.json
    return v17, r.json["number"]


def recipient(client, operator, n=1, kind="cascade_use"):
    r = client.post(f"{BASE}/battery-recipients", headers=operator.headers, json={
        "name": f"梯次利用企业{n}", "credit_code": uscc(100 + n), "recipient_type": kind,
        "list_ref": "工业和信息化部公告2024年第X号(规范条件)"})
    assert r.status_code == 201, r.json
    return r.json


def record(client, recycler, **body):
    return client.post(f"{BASE}/batteries", json=body, headers=recycler.headers)


def test_battery_recorded_against_the_voucher_vin_and_handed_to_a_listed_recipient(client, session, consumer, recycler,
                                                                                   operator):
    v17, number = scrapped_nev_voucher(client, consumer, recycler, operator)
    r = record(client, recycler, vin=v17, voucher_number=number, battery_present=True, pack_code=PACK.lower(),
               battery_type="LFP", rated_capacity_kwh=60.5)
    assert r.status_code == 201, r.json
    b = r.json
    assert (b["pack_code"], b["status"], b["vehicle_incomplete"]) == (PACK, "in_custody", False)
    assert b["vin_masked"] == "****" + v17[-4:] and v17 not in str(b)
    [received] = b["events"]
    assert received["kind"] == "vehicle_received" and received["report_due_on"] > received["on"]
    listed = recipient(client, operator)
    r = client.post(f"{BASE}/batteries/{b['id']}/handover", json={"recipient_id": listed["id"]},
                    headers=recycler.headers)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "handed_over" and r.json["recipient"]["name"] == listed["name"]
    assert [e["kind"] for e in r.json["events"]] == ["vehicle_received", "battery_handed_over"]
    # Once handed over it cannot be handed over again.
    r = client.post(f"{BASE}/batteries/{b['id']}/handover", json={"recipient_id": listed["id"]},
                    headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"
    # Another recycler neither sees it nor moves it.
    other = make_user(session, Role.RECYCLER)
    assert client.get(f"{BASE}/batteries/{b['id']}", headers=other.headers).status_code == 404


def test_vin_not_on_the_voucher_and_missing_pack_code_are_refused(client, consumer, recycler, operator):
    v17, number = scrapped_nev_voucher(client, consumer, recycler, operator)
    r = record(client, recycler, vin=vin(), voucher_number=number, battery_present=True, pack_code=PACK)
    assert r.status_code == 422 and "vin" in r.json["errors"]
    r = record(client, recycler, vin=v17, voucher_number=number, battery_present=True)
    assert r.status_code == 422 and "pack_code" in r.json["errors"]
    r = record(client, recycler, vin=v17, voucher_number="RVNOTMINE", battery_present=True, pack_code=PACK)
    assert r.status_code == 422 and "voucher_number" in r.json["errors"]
    assert record(client, recycler, vin=v17, voucher_number=number, battery_present=True,
                  pack_code=PACK).status_code == 201
    r = record(client, recycler, vin=v17, voucher_number=number, battery_present=True, pack_code=PACK)
    assert r.status_code == 409 and r.json["code"] == "battery_already_recorded"


def test_vehicle_without_its_battery_is_incomplete_from_2026_04_01(client, recycler, freeze):
    freeze(datetime(2026, 5, 6, 2, 0, tzinfo=clock.SHANGHAI))
    r = record(client, recycler, vin=vin(), scrap_certificate_no="BF1401002026000777", battery_present=False)
    assert r.status_code == 201, r.json
    assert (r.json["vehicle_incomplete"], r.json["status"], r.json["pack_code"]) == (True, "missing", None)
    # A swap-mode vehicle is outside 车电一体; before 2026-04-01 the rule did not apply.
    r = record(client, recycler, vin=vin(), scrap_certificate_no="BF2", battery_present=False, swap_mode=True)
    assert r.json["vehicle_incomplete"] is False
    r = record(client, recycler, vin=vin(), scrap_certificate_no="BF3", battery_present=False,
               received_on="2026-03-31", late_reason="paper register")
    assert r.json["vehicle_incomplete"] is False


def test_battery_to_an_unlisted_or_withdrawn_recipient_is_refused(client, recycler, operator):
    b = record(client, recycler, vin=vin(), scrap_certificate_no="BF1", battery_present=True, pack_code=PACK).json
    r = client.post(f"{BASE}/batteries/{b['id']}/handover", json={"recipient_id": str(uuid.uuid4())},
                    headers=recycler.headers)
    assert r.status_code == 422 and "not on" in r.json["errors"]["recipient_id"][0]
    gone = recipient(client, operator, 2, "recycling")
    client.post(f"{BASE}/battery-recipients/{gone['id']}/withdrawal", json={"reason": "licence lapsed"},
                headers=operator.headers)
    r = client.post(f"{BASE}/batteries/{b['id']}/handover", json={"recipient_id": gone["id"]},
                    headers=recycler.headers)
    assert r.status_code == 422
    assert client.get(f"{BASE}/batteries/{b['id']}", headers=recycler.headers).json["status"] == "in_custody"


def test_only_operators_keep_the_recipient_list(client, recycler):
    r = client.post(f"{BASE}/battery-recipients", headers=recycler.headers, json={
        "name": "x", "credit_code": uscc(5), "recipient_type": "recycling", "list_ref": "x"})
    assert r.status_code == 403


def test_deadlines_count_working_days_and_a_missed_one_shows_overdue(client, recycler, freeze):
    # Received Thursday 2026-09-24: 15 working days skip Mid-Autumn (25-27 Sep) and National Day
    # (1-7 Oct) but count the swapped Saturday 10 Oct: Sep 28, 29, 30, Oct 8, 9, 10, 12-16, 19-22.
    fc = freeze(datetime(2026, 9, 24, 10, 0, tzinfo=clock.SHANGHAI))
    b = record(client, recycler, vin=vin(), scrap_certificate_no="BF9", battery_present=True, pack_code=PACK).json
    assert b["events"][0]["report_due_on"] == "2026-10-22"
    [d] = client.get(f"{BASE}/battery-deadlines", headers=recycler.headers).json["items"]
    assert (d["due_on"], d["overdue"], d["working_days_left"]) == ("2026-10-22", False, 15)
    fc.advance(timedelta(days=29))   # 2026-10-23: one working day late
    r = client.get(f"{BASE}/battery-deadlines", query_string={"overdue": "true"}, headers=recycler.headers)
    [d] = r.json["items"]
    assert d["overdue"] is True and d["working_days_left"] == -1 and "2018" in r.json["rules"]
    ev = b["events"][0]["id"]
    r = client.post(f"{BASE}/batteries/{b['id']}/events/{ev}/report", json={"platform_ref": "SY-2026-0001"},
                    headers=recycler.headers)
    assert r.status_code == 200 and r.json["reported_late"] is True
    assert client.get(f"{BASE}/battery-deadlines", headers=recycler.headers).json["items"] == []
    r = client.post(f"{BASE}/batteries/{b['id']}/events/{ev}/report", json={"platform_ref": "again"},
                    headers=recycler.headers)
    assert r.status_code == 409


def test_export_in_the_platform_fields(client, recycler, operator):
    b = record(client, recycler, vin=vin(), scrap_certificate_no="BF1401002026000123", battery_present=True,
               pack_code=PACK, battery_type="NCM").json
    listed = recipient(client, operator, 3, "oem_collection_point")
    client.post(f"{BASE}/batteries/{b['id']}/handover", json={"recipient_id": listed["id"]}, headers=recycler.headers)
    r = client.get(f"{BASE}/battery-export", query_string={"format": "csv"}, headers=recycler.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["车辆识别代号(VIN)", "报废机动车回收证明编号", "环节", "发生日期", "动力蓄电池包编码"]
    assert [row[2] for row in rows[1:]] == ["报废车辆回收", "电池出库移交"]
    assert rows[2][4] == PACK and rows[2][9] == listed["name"] and rows[2][11] == "回收服务网点"
    assert rows[1][0].startswith("****")
    r = client.get(f"{BASE}/battery-export", query_string={"format": "xlsx"}, headers=recycler.headers)
    assert r.status_code == 200 and zipfile.is_zipfile(io.BytesIO(r.data))
    assert client.get(f"{BASE}/battery-export", headers=operator.headers).status_code in (403, 422)


def test_only_a_verified_recycler_records_batteries(client, session, consumer):
    unverified = make_user(session, Role.RECYCLER, verified_org=False)
    r = record(client, unverified, vin=vin(), scrap_certificate_no="BF1", battery_present=True, pack_code=PACK)
    assert r.status_code == 403
    assert record(client, consumer, vin=vin(), scrap_certificate_no="BF1", battery_present=True,
                  pack_code=PACK).status_code in (403, 422)


def test_two_hand_overs_at_once_only_one_wins(app, client, session, recycler, operator):
    b = record(client, recycler, vin=vin(), scrap_certificate_no="BF1", battery_present=True, pack_code=PACK).json
    r1, r2 = recipient(client, operator, 11)["id"], recipient(client, operator, 12, "recycling")["id"]

    def give(rid):
        return lambda s: batteries.hand_over(s, s.get(User, recycler.id), b["id"], rid)

    outcomes = race(app, [give(r1), give(r2)])
    assert sum(isinstance(o, InvalidState) for o in outcomes) == 1
    events = client.get(f"{BASE}/batteries/{b['id']}", headers=recycler.headers).json["events"]
    assert [e["kind"] for e in events].count("battery_handed_over") == 1


def test_demo_seed_has_remanufactured_listings_and_a_scrapped_nev_with_its_battery(app, client, session):
    from sqlalchemy import select as sa_select
    from services.listings.models import Listing
    r = app.test_cli_runner().invoke(args=["seed", "--listings", "50"])
    assert r.exit_code == 0, r.output
    reman = session.scalars(sa_select(Listing).where(Listing.condition == "remanufactured")).all()
    assert len(reman) == 2 and all(l.reman_entry_id and l.status.value == "published" for l in reman)
    assert all(l.legal_class == "remanufactured" and l.warranty_months >= 12 for l in reman)
    recycler = session.scalar(sa_select(User).where(User.email == "recycler1@demo.huanxin.cn"))
    rows = batteries.browse(session, recycler, cursor=None, limit=10)[0]
    assert {(b.status.value, b.vehicle_incomplete) for b in rows} == {("handed_over", False), ("missing", True)}
    assert any(d.overdue for d in batteries.deadlines(session, recycler))


def test_a_step_recorded_after_its_deadline_is_refused_without_a_reason(client, recycler, operator, freeze):
    freeze(datetime(2026, 6, 30, 10, 0, tzinfo=clock.SHANGHAI))
    r = record(client, recycler, vin=vin(), scrap_certificate_no="BF7", battery_present=True, pack_code=PACK,
               received_on="2026-05-20")   # due 2026-06-10 (Dragon Boat 19-21 Jun is after it)
    assert r.status_code == 422 and "2026-06-10" in r.json["errors"]["received_on"][0]
    r = record(client, recycler, vin=vin(), scrap_certificate_no="BF7", battery_present=True, pack_code=PACK,
               received_on="2026-05-20", late_reason="found in the yard's paper register")
    assert r.status_code == 201 and r.json["events"][0]["late_reason"].startswith("found")
    listed = recipient(client, operator, 21)
    url = f"{BASE}/batteries/{r.json['id']}/handover"
    r2 = client.post(url, json={"recipient_id": listed["id"], "on": "2026-05-25"}, headers=recycler.headers)
    assert r2.status_code == 422 and "on" in r2.json["errors"]
    assert client.get(f"{BASE}/batteries/{r.json['id']}", headers=recycler.headers).json["status"] == "in_custody"
