"""Demo listings: rows for bulk insert across the three categories, with Chinese and English titles,
real brand and model names and plausible prices, spread over Shanxi's cities and other provinces.
The orchestration (services/demo.py) inserts them with their search outbox rows and certifies the
phones."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from services import identifiers, regions
from services.accounts.models import User

PHONES = [("Apple", "苹果", "iPhone 13", 128, 280000), ("Apple", "苹果", "iPhone 14 Pro", 256, 520000),
          ("Apple", "苹果", "iPhone 15", 128, 450000), ("Huawei", "华为", "Mate 60 Pro", 512, 480000),
          ("Huawei", "华为", "P60", 256, 300000), ("Xiaomi", "小米", "Xiaomi 14", 256, 260000),
          ("Xiaomi", "小米", "Redmi K70", 256, 150000), ("OPPO", "OPPO", "Find X7", 256, 290000),
          ("vivo", "vivo", "X100", 256, 280000), ("Honor", "荣耀", "Magic6", 256, 250000)]
OTHER_ELECTRONICS = [("laptop", "笔记本电脑", "Lenovo", "联想", "ThinkPad X1 Carbon", 512, 450000),
                     ("laptop", "笔记本电脑", "Apple", "苹果", "MacBook Air M2", 256, 520000),
                     ("tablet", "平板电脑", "Apple", "苹果", "iPad Air 5", 64, 230000),
                     ("tablet", "平板电脑", "Huawei", "华为", "MatePad 11", 128, 120000),
                     ("smartwatch", "智能手表", "Apple", "苹果", "Apple Watch S8", 32, 150000),
                     ("camera", "相机", "Sony", "索尼", "A7 III", 0, 600000)]
APPLIANCES = [("refrigerator", "冰箱", "Haier", "海尔", "BCD-470WDPG", 350000),
              ("refrigerator", "冰箱", "Midea", "美的", "BCD-508WKPZM", 280000),
              ("washing_machine", "洗衣机", "Little Swan", "小天鹅", "TG100V88", 260000),
              ("washing_machine", "洗衣机", "Haier", "海尔", "EG100MATE3S", 220000),
              ("air_conditioner", "空调", "Gree", "格力", "KFR-35GW/NhGc1B", 300000),
              ("air_conditioner", "空调", "Midea", "美的", "KFR-35GW/N8XHA1", 250000),
              ("television", "电视", "Hisense", "海信", "65E7K", 400000),
              ("television", "电视", "TCL", "TCL", "75Q10G", 600000),
              ("water_heater", "热水器", "A.O. Smith", "史密斯", "E60VDP", 250000),
              ("range_hood", "油烟机", "Fotile", "方太", "CXW-258-JCD10TB", 450000),
              ("dishwasher", "洗碗机", "Siemens", "西门子", "SJ45ZS00KC", 500000),
              ("microwave_oven", "微波炉", "Galanz", "格兰仕", "G80F23CN3L", 60000)]
VEHICLES = [("BYD", "比亚迪", "Qin PLUS DM-i", "phev", 1.5, 10000000),
            ("BYD", "比亚迪", "Han EV", "bev", None, 20000000),
            ("Tesla", "特斯拉", "Model 3", "bev", None, 23000000),
            ("Toyota", "丰田", "Corolla", "gasoline", 1.2, 11000000),
            ("Volkswagen", "大众", "Lavida", "gasoline", 1.5, 10000000),
            ("Honda", "本田", "Accord", "hybrid", 2.0, 17000000),
            ("Geely", "吉利", "Xingyue L", "gasoline", 2.0, 14000000),
            ("Li Auto", "理想", "L7", "erev", 1.5, 30000000)]
CONDITIONS = [("like_new", 0.85, "几乎全新", "like new"), ("good", 0.7, "成色良好", "good condition"),
              ("fair", 0.5, "有使用痕迹", "fair"), ("new", 0.95, "全新未拆封", "brand new")]
OTHER_PROVINCES = ["110000", "310000", "440100", "440300", "330100", "510100", "500000", "420100", "320100"]



def _imei(rng: random.Random) -> str:
    body = "35" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    for d in "0123456789":
        if identifiers.luhn_ok(body + d):
            return body + d
    raise AssertionError


def _vin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = "L" + "".join(rng.choice(alphabet) for _ in range(16))
    return body[:8] + identifiers.vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def region_pool() -> list[str]:
    """Regions to spread listings over: Shanxi's cities and counties twice as likely as elsewhere."""
    all_r = regions.all_regions()
    shanxi = [c for c, r in all_r.items() if c.startswith("14") and r.level in ("city", "county")]
    others = [c for c in all_r if any(c.startswith(regions.prefix(p)) for p in OTHER_PROVINCES)
              and all_r[c].level != "province"]
    return shanxi * 2 + others


def listing_rows(rng: random.Random, n: int, sellers: list[User], today: date, region_pool: list[str],
                 progress=None, imeis: dict | None = None, *, hasher: identifiers.IdHasher,
                 now: datetime) -> list[dict]:
    """Published listing rows; `imeis`, when given, collects each phone's raw IMEI by listing id
    (rows keep only its keyed hash under `hasher`); `now` stamps them."""
    rows = []
    all_r = regions.all_regions()
    for i in range(n):
        seller = rng.choice(sellers)
        cond, factor, cond_zh, cond_en = rng.choice(CONDITIONS)
        region = rng.choice(region_pool)
        r = all_r[region]
        row = dict(id=uuid.uuid4(), seller_id=seller.id, org_id=next(iter(seller.org_ids()), None),
                   seller_type=seller.role.value, condition=cond, region_code=region,
                   lat=r.lat + rng.uniform(-0.05, 0.05), lon=r.lon + rng.uniform(-0.05, 0.05),
                   status="published", negotiable=rng.random() < 0.4, revision=1,
                   created_at=now - timedelta(minutes=n - i), updated_at=now, published_at=now,
                   device_hash=None, device_last4=None, serial_hash=None, serial_last4=None,
                   remanufacturer=None, reman_cert_no=None, mileage_km=None, powertrain=None,
                   emission_standard=None, energy_grade=None, storage_gb=None, year=None)
        roll = rng.random()
        if roll < 0.4:
            brand, brand_zh, model, storage, base = rng.choice(PHONES)
            imei = _imei(rng)
            row.update(category="electronics", kind="mobile_phone", brand=brand, model=model, storage_gb=storage,
                       title=f"{brand_zh} {model} {storage}G {cond_zh} / {brand} {model} {storage}GB, {cond_en}",
                       description=f"自用{brand_zh}手机，电池健康{rng.randint(80, 100)}%，已恢复出厂设置。Used phone, factory reset.",
                       price_fen=int(base * factor * rng.uniform(0.8, 1.1)) // 100 * 100,
                       attributes={"kind": "mobile_phone", "brand": brand, "model": model, "storage_gb": storage,
                                   "battery_health_pct": rng.randint(80, 100)},
                       device_hash=hasher.hash(imei, purpose="device"), device_last4=imei[-4:])
            if imeis is not None:
                imeis[row["id"]] = imei
        elif roll < 0.55:
            kind, kind_zh, brand, brand_zh, model, storage, base = rng.choice(OTHER_ELECTRONICS)
            row.update(category="electronics", kind=kind, brand=brand, model=model, storage_gb=storage or None,
                       title=f"{brand_zh} {model} {kind_zh} {cond_zh} / {brand} {model} {kind.replace('_', ' ')}",
                       description=f"{kind_zh}，功能正常。Works fine.",
                       price_fen=int(base * factor * rng.uniform(0.8, 1.1)) // 100 * 100,
                       # The demo camera body keeps photos on its removable card only.
                       attributes={"kind": kind, "brand": brand, "model": model,
                                   **({"has_storage": False} if kind == "camera" else {})})
        elif roll < 0.85:
            kind, kind_zh, brand, brand_zh, model, base = rng.choice(APPLIANCES)
            year, grade = rng.randint(2015, today.year), rng.choice([1, 1, 2, 2, 3, 4])
            row.update(category="appliance", kind=kind, brand=brand, model=model, energy_grade=grade, year=year,
                       title=f"{brand_zh}{kind_zh} {model} {grade}级能效 / {brand} {kind.replace('_', ' ')} {model}",
                       description=f"{year}年购买，{cond_zh}，可送货上门。Bought {year}, {cond_en}.",
                       price_fen=int(base * factor * rng.uniform(0.5, 1.0)) // 100 * 100,
                       attributes={"kind": kind, "brand": brand, "model": model, "energy_grade": grade, "year": year})
        else:
            brand, brand_zh, model, pt, disp, base = rng.choice(VEHICLES)
            year = rng.randint(2012, today.year - 1)
            km = rng.randint(5000, 30000) * (today.year - year)
            std = "china_6b" if year >= 2020 else rng.choice(["china_5", "china_6a"]) if year >= 2017 else "china_4"
            vin = _vin(rng)
            row.update(category="vehicle", kind="passenger_car", brand=brand, model=model, year=year,
                       mileage_km=km, powertrain=pt, emission_standard=std,
                       title=f"{year}款 {brand_zh}{model} {km // 10000}万公里 / {year} {brand} {model}, {km} km",
                       description=f"个人一手车，{cond_zh}。One owner, {cond_en}.",
                       price_fen=max(1000000, int(base * (0.85 ** (today.year - year)) * rng.uniform(0.85, 1.1)) // 10000 * 10000),
                       attributes={"make": brand, "model": model, "powertrain": pt, "displacement_l": disp,
                                   "emission_standard": std, "mileage_km": km,
                                   "first_registration_date": date(year, rng.randint(1, 12), 1).isoformat(),
                                   "registration_region": region},
                       device_hash=hasher.hash(vin, purpose="device"), device_last4=vin[-4:])
        rows.append(row)
        if progress and i % 1000 == 999:
            progress(1000)
    if progress:
        progress(n % 1000)
    return rows
