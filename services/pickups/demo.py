"""Demo pickups in Shanxi: two recyclers (Lüliang, an authorised dismantler; Jinzhong-Taiyuan),
their facilities and collectors, one confirmed pickup and one collected with its voucher."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import User
from services.notifications import LogNotifier
from services.pickups import booking, dispatch, offers, vouchers
from services.pickups.availability import address, availability

WEEK = {str(d): [["08:30", "12:30"], ["13:30", "17:30"]] for d in range(1, 7)}
SPRING_FESTIVAL_2027 = ["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10"]


def _offer(session: Session, staff: User, **kw) -> None:
    org_id = next(iter(staff.org_ids()))
    offers.upsert_offer(session, staff, org_id, {"holidays": SPRING_FESTIVAL_2027, "working_hours": WEEK,
                                                 "accepts_pool": True, **kw})


def _facility(session: Session, staff: User, name: str, tier: str, region: str, lat: float, lon: float,
              parent=None):
    return offers.add_facility(session, staff, next(iter(staff.org_ids())),
                               {"name": name, "tier": tier, "region_code": region, "lat": lat, "lon": lon,
                                "address": name, "parent_id": parent.id if parent else None})


def seed(session: Session, people: dict[str, list[User]]) -> list[str]:
    """Offers, facilities and collectors for recycler1@ and recycler2@, and two pickups."""
    operator, (lvliang, jinzhong) = people["operator"][0], people["recycler"][:2]
    consumers = people["consumer"]
    _offer(session, lvliang, kinds=["appliance", "electronics", "other", "vehicle"], region_codes=["141100"],
           depot={"lat": 37.5179, "lon": 111.1507}, radius_km=60.0, slot_minutes=120,
           capacity={"count": 4, "volume_l": 2400, "weight_kg": 500},
           dismantler_licence_no="晋报废拆解(吕)2024-003")
    lv_org = next(iter(lvliang.org_ids()))
    offers.authorise_dismantler(session, operator, lv_org, True, "demo: licence checked")
    sorting = _facility(session, lvliang, "吕梁再生资源分拣中心", "sorting_centre", "141102", 37.530, 111.170)
    transfer = _facility(session, lvliang, "离石中转站", "transfer_station", "141102", 37.522, 111.140, sorting)
    _facility(session, lvliang, "离石滨河回收点", "collection_point", "141102", 37.515, 111.145, transfer)
    _facility(session, lvliang, "吕梁报废机动车拆解厂", "dismantler", "141102", 37.480, 111.200)
    offers.add_collector(session, lvliang, lv_org, lvliang.id, "张师傅")

    _offer(session, jinzhong, kinds=["appliance", "electronics", "other"], region_codes=["140700", "140100"],
           depot={"lat": 37.6978, "lon": 112.7082}, radius_km=None, slot_minutes=120,
           capacity={"count": 6, "volume_l": 3000, "weight_kg": 600})
    jz_org = next(iter(jinzhong.org_ids()))
    jz_sorting = _facility(session, jinzhong, "晋中绿色分拣中心", "sorting_centre", "140702", 37.700, 112.720)
    jz_point = _facility(session, jinzhong, "小店回收点", "collection_point", "140105", 37.736, 112.565, jz_sorting)
    jz_collector = offers.add_collector(session, jinzhong, jz_org, jinzhong.id, "李师傅")

    notifier = LogNotifier()
    now = clock.now(session)
    fridge = [{"category": "appliance", "kind": "refrigerator", "description": "海尔 BCD-470 旧冰箱"}]
    home = address("141102", 37.5190, 111.1420, "离石区 滨河北路 8 号")
    slot = availability(session, home, fridge, now=now + timedelta(days=1), days=3, limit=1)[0].slots[0]
    booking.create_booking(session, consumers[0], home, fridge, slot.starts_at, notifier=notifier)

    washer = [{"category": "appliance", "kind": "washing_machine", "description": "小天鹅 旧洗衣机"},
              {"category": "electronics", "kind": "mobile_phone", "description": "旧手机"}]
    flat = address("140105", 37.7365, 112.5657, "小店区 长治路 100 号")
    slot = availability(session, flat, washer, now=now, days=3, limit=1)[0].slots[0]
    b = booking.create_booking(session, consumers[1], flat, washer, slot.starts_at, notifier=notifier)
    dispatch.assign(session, jinzhong, b.id, jz_collector.id)
    for step in ("en_route", "arrived"):
        dispatch.advance(session, jinzhong, b.id, step, notifier=notifier)
    v = vouchers.collect(session, jinzhong, b.id, {str(b.items[0].id): 63_500, str(b.items[1].id): 185},
                         jz_point.id, notifier=notifier)
    session.flush()
    return ["pickups: recycler1@ (Lüliang, authorised dismantler) and recycler2@ (Jinzhong, Taiyuan); "
            f"consumer1@ has a confirmed pickup; consumer2@'s was collected: voucher {v.id}"]
