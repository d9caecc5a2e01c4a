"""Realistic demo data: users of every role and listings across the three categories, with
Chinese and English titles, real brand and model names and plausible prices, spread over
Shanxi's cities and other provinces. Bulk inserts keep 100,000 listings fast.

Every published phone obeys the data-wipe rule: a recycler team takes it in, wipes it and a
colleague approves its signed certificate through the real certificate services. That costs
about 5 ms a phone (all 40,000 phones of a 100,000-listing seed would add over three minutes),
so past CERTIFIED_PHONES_MAX the remaining phones are drafts awaiting certification: the
publish gate guards submission for review too, so they cannot be pending review either."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services import clock, identifiers, regions
from services.accounts import service as accounts
from services.accounts import membership, vetting
from services.accounts.models import IdStatus, MemberRole, Organization, OrgKind, Role, User
from services.certificates import demo as certificates_demo
from services.certificates.signing import Keyring
from services.conversations import demo as conversations_demo
from services.credit import batch as credit_batch
from services.listings.models import Listing, SearchOutbox
from services.listings.validation import stores_personal_data
from services.pickups import demo as pickups_demo
from services.reviews import demo as reviews_demo
from services.subsidies import demo as subsidies_demo
from services.tradeins import seed as tradein_seed
from services.watchlist import demo as watchlist_demo

DEMO_PASSWORD = "huanxin-demo-2026"

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
CERTIFIED_PHONES_MAX = 3000
RECYCLERS = [("吕梁再生资源回收 Lüliang Recycling", "质检 王检 QC Wang", "吕梁市离石区 吕梁再生资源分拣中心"),
             ("晋中绿色回收 Jinzhong Green", "质检 李检 QC Li", "晋中市榆次区 晋中绿色分拣中心")]
OTHER_PROVINCES = ["110000", "310000", "440100", "440300", "330100", "510100", "500000", "420100", "320100"]


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


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


def _region_pool() -> list[str]:
    all_r = regions.all_regions()
    shanxi = [c for c, r in all_r.items() if c.startswith("14") and r.level in ("city", "county")]
    others = [c for c in all_r if any(c.startswith(regions.prefix(p)) for p in OTHER_PROVINCES)
              and all_r[c].level != "province"]
    return shanxi * 2 + others


def users(session: Session) -> dict[str, list[User]]:
    out: dict[str, list[User]] = {"consumer": [], "retailer": [], "recycler": [], "operator": []}
    out["operator"].append(accounts.create_operator(session, email="operator@demo.huanxin.cn",
                                                    password=DEMO_PASSWORD, display_name="运营 Operator"))
    for i in range(1, 21):
        u = accounts.register(session, email=f"consumer{i}@demo.huanxin.cn", password=DEMO_PASSWORD,
                              display_name=f"用户{i}", role=Role.CONSUMER)
        if i % 3 == 0:
            u.id_status, u.id_last4 = IdStatus.VERIFIED, f"{i:03d}X"[-4:]
            u.id_hash = identifiers.hmac_hash(session, f"demo-{i}", purpose="resident_id")
        out["consumer"].append(u)
    for i, name in enumerate(["国美吕梁店 Gome Lüliang", "苏宁太原店 Suning Taiyuan", "京东家电 JD Appliances"], 1):
        out["retailer"].append(accounts.register(session, email=f"retailer{i}@demo.huanxin.cn",
                                                 password=DEMO_PASSWORD, display_name=name,
                                                 role=Role.RETAILER, org_name=name))
    out["recycler_qc"] = []
    for i, (name, qc_name, _) in enumerate(RECYCLERS, 1):
        owner = accounts.register(session, email=f"recycler{i}@demo.huanxin.cn", password=DEMO_PASSWORD,
                                  display_name=name, role=Role.RECYCLER, org_name=name)
        out["recycler"].append(owner)
        # The second person who validates wipes (a certificate needs one besides the technician).
        # Registration gives every recycler an organisation of their own; the owner then adds them.
        qc = accounts.register(session, email=f"recycler{i}-qc@demo.huanxin.cn", password=DEMO_PASSWORD,
                               display_name=qc_name, role=Role.RECYCLER, org_name=f"{qc_name} (个人 personal)")
        inv = membership.invite(session, owner, next(iter(owner.org_ids())), qc.email, MemberRole.STAFF)
        membership.respond(session, qc, inv.id, True)
        out["recycler_qc"].append(qc)
    _vet(session, out["retailer"] + out["recycler"])
    session.flush()
    return out


def _vet(session: Session, owners: list[User]) -> None:
    """Vetted demo organisations: codes of the right shape (GB 32100 check character), made up."""
    for n, owner in enumerate(owners, 1):
        org = session.get(Organization, next(iter(owner.org_ids())))
        body = f"91141100MA0DE{n:04d}"
        vetting.record_verified(session, org, uscc=body + identifiers.uscc_check_char(body), reason="demo seed",
                                recycling_reg_no=f"晋回收备-1411-{n:04d}" if org.kind == OrgKind.RECYCLER else None)


def wipe_teams(people: dict[str, list[User]]) -> list[certificates_demo.Team]:
    """recycler1@ and recycler2@ wipe; their QC colleague validates."""
    return [certificates_demo.Team(org_id=next(iter(owner.org_ids())), technician=owner, validator=qc, place=place)
            for owner, qc, (_, _, place) in zip(people["recycler"], people["recycler_qc"], RECYCLERS)]


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


def _phone(row: dict, imei: str) -> certificates_demo.Device:
    return certificates_demo.Device(imei=imei, kind="phone", make=row["brand"], model=row["model"],
                                    storage_gb=row["storage_gb"], seller_id=row["seller_id"],
                                    seller_org_id=row["org_id"])


def social_seed(session: Session, people: dict[str, list[User]]) -> list[str]:
    """What a buyer looks at before trusting a stranger: completed trades reviewed by both sides,
    conversations (one with a masked contact attempt), consumer1@'s favourites and saved search,
    and a credit score for every participant, so listings show their sellers' standing."""
    consumers = people["consumer"]
    lines = [*reviews_demo.seed(session, consumers), *conversations_demo.seed(session, consumers),
             *watchlist_demo.seed(session, consumers[0])]
    subjects = [u.id for u in consumers] + list({o for u in people["retailer"] + people["recycler"]
                                                 for o in u.org_ids()})
    scored = credit_batch.recompute_many(session, subjects, trigger="batch")
    return [*lines, f"credit scores: {scored} participants scored (bands shown on their listings)"]


def seed(session: Session, *, n_listings: int = 3000, rng_seed: int = 2026, progress=None,
         keyring: Keyring | None = None, certified_max: int = CERTIFIED_PHONES_MAX) -> list[str]:
    """Insert demo users and `n_listings` listings (with their search outbox rows). Every
    published phone has a valid signed wipe certificate issued with `keyring` (the app's; a
    throwaway key, published in the registry, when None); phones beyond `certified_max` are
    drafts awaiting certification."""
    if keyring is None:
        keyring = Keyring()
        keyring.generate(f"demo-{uuid.uuid4().hex[:8]}")
    rng = random.Random(rng_seed)
    people = users(session)
    sellers = people["consumer"] + people["retailer"] + people["recycler"]
    teams = wipe_teams(people)
    certificates_demo.allow_tool(session, people["operator"][0])
    pool = _region_pool()
    today = clock.now(session).date()
    batch = 5000
    done = certified = drafts = unidentified = 0
    while done < n_listings:
        imeis: dict = {}
        rows = listing_rows(rng, min(batch, n_listings - done), sellers, today, pool, progress, imeis,
                            hasher=identifiers.hasher(session), now=clock.now(session))
        phones = []
        for row in rows:
            if row["id"] not in imeis:
                if row["category"] == "electronics" and stores_personal_data(row["kind"], row["attributes"]):
                    # A laptop, tablet or watch without its serial cannot pass the wipe gate: the
                    # demo lists it as a draft its seller completes, as the gate requires.
                    row.update(status="draft", published_at=None)
                    unidentified += 1
                continue
            if certified + len(phones) < certified_max:
                phones.append(_phone(row, imeis[row["id"]]))
            else:
                row.update(status="draft", published_at=None)
                drafts += 1
        session.execute(insert(Listing), rows)
        session.execute(insert(SearchOutbox), [{"listing_id": r["id"], "revision": 1} for r in rows])
        # After the listings, so the certificate rules see each phone's seller (no self-certifying).
        certified += certificates_demo.certify_all(session, keyring, phones, teams)
        done += len(rows)
    pickups_demo.seed(session, people)
    social = social_seed(session, people)
    session.flush()
    return [*social, f"users: {sum(len(v) for v in people.values())} (password for all: {DEMO_PASSWORD})",
            "operator: operator@demo.huanxin.cn; consumers: consumer1..20@demo.huanxin.cn; "
            "retailers: retailer1..3@; recyclers: recycler1..2@ (wipe technicians), "
            "recycler1-qc@ and recycler2-qc@ (their validators)",
            f"listings: {n_listings} ({n_listings - drafts - unidentified} published, "
            f"{drafts + unidentified} draft, of which {unidentified} data-bearing devices without "
            "their serial number)",
            f"wipe certificates: {certified} phones certified through intake, submit and approval"
            + (f"; {drafts} more phones are drafts awaiting certification (seed certifies at most "
               f"{certified_max})" if drafts else ""),
            *tradein_seed.seed_prices(session, people["retailer"]),
            *subsidies_demo.seed_pools(session, people["operator"][0].id, ["140000", *OTHER_PROVINCES], today=today)]
