"""Builds corpus.json and judged.json from listings.txt and queries.txt (run after editing them).

The judgments are resolved from the judge's tags in listings.txt, so each grade is a decision
about the listing as written, never about what a backend returned. The half of each query is
fixed by a hash of its text: nobody picks which queries are held out. The second tuning set
(queries_tune2.txt, written later from buyers' habits) is in the tuning half whatever its hash,
so it never changes what is held out; each query records its set ("first" or "second").
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent
ELECTRONICS = {"mobile_phone", "tablet", "laptop", "desktop", "smartwatch", "smart_glasses", "camera"}
VEHICLE = {"passenger_car"}
OTHER_KINDS = {"e.other": "electronics", "a.other": "appliance", "o.other": "other"}
# (region code, lat, lon): Guangzhou, Shanghai, Beijing, Hangzhou, Chengdu, Wuhan, Shenzhen, Nanjing
PLACES = [("440106", 23.1248, 113.3616), ("310115", 31.2215, 121.5444), ("110105", 39.9219, 116.4431),
          ("330106", 30.2592, 120.1300), ("510107", 30.6421, 104.0431), ("420106", 30.5539, 114.3162),
          ("440305", 22.5333, 113.9304), ("320106", 32.0663, 118.7697)]
CONDITIONS = ["good", "like_new", "fair", "good", "like_new"]
SELLERS = ["consumer", "consumer", "retailer", "consumer", "recycler"]
EXTRA = {"brand": "brand", "model": "model", "storage": "storage_gb", "energy": "energy_grade",
         "power": "powertrain", "emission": "emission_standard", "year": "year", "mileage": "mileage_km"}
INTS = {"storage_gb", "year", "mileage_km"}


def _lines(name: str):
    for raw in (HERE / name).read_text("utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            yield [f.strip() for f in raw.split("|")]


def listings() -> list[dict]:
    out = []
    for i, (key, kind, tags, title, desc, price, extras) in enumerate(_lines("listings.txt")):
        if kind in OTHER_KINDS:
            category, kind = OTHER_KINDS[kind], "other"
        else:
            category = "electronics" if kind in ELECTRONICS else "vehicle" if kind in VEHICLE else "appliance"
        code, lat, lon = PLACES[i % len(PLACES)]
        item = {"key": key, "title": title, "description": desc, "category": category, "kind": kind,
                "condition": CONDITIONS[i % len(CONDITIONS)], "price_fen": int(price) * 100,
                "region_code": code, "lat": lat, "lon": lon, "seller_type": SELLERS[i % len(SELLERS)],
                "days_ago": (i * 7) % 45, "tags": tags.split(),
                "accessory": bool({"acc", "toy"} & set(tags.split()))}
        for pair in filter(None, extras.split(",")):
            name, value = pair.split("=", 1)
            if value:
                field = EXTRA[name]
                item[field] = int(value) if field in INTS else value
        out.append(item)
    keys = [x["key"] for x in out]
    assert len(keys) == len(set(keys)), "duplicate keys"
    return out


def _matches(expr: str, item: dict) -> bool:
    tags = set(item["tags"])
    for clause in filter(None, (c.strip() for c in expr.split(";"))):
        words = clause.split()
        if all((w[1:] == item["key"]) if w.startswith("@") else
               (w[1:] not in tags) if w.startswith("-") else (w in tags) for w in words):
            return True
    return False


def half(q: str) -> str:
    return "heldout" if hashlib.sha256(q.encode()).digest()[0] % 2 else "tune"


SETS = (("queries.txt", "first"), ("queries_tune2.txt", "second"))


def queries(items: list[dict]) -> list[dict]:
    out = []
    keys = {x["key"] for x in items}
    for name, which in SETS:
        seen = {q["q"] for q in out}
        # A later set's query the first set already holds keeps its first judgment and its half
        # (a held-out query must stay held out); which ones they are is not printed.
        out += [q for q in _judge(items, keys, name, which) if q["q"] not in seen]
    texts = [q["q"] for q in out]
    assert len(texts) == len(set(texts)), "a query is written twice"
    return out


def _judge(items: list[dict], keys: set[str], name: str, which: str) -> list[dict]:
    out = []
    for q, lang, two, one, kind in _lines(name):
        for expr in (two, one):
            for word in expr.split():
                assert not word.startswith("@") or word[1:] in keys, (q, word)
        grades = {}
        for item in items:
            if item["accessory"] and kind == "device":
                continue  # an accessory or a toy is never what a device query wants
            if _matches(two, item):
                grades[item["key"]] = 2
            elif _matches(one, item):
                grades[item["key"]] = 1
        assert any(g == 2 for g in grades.values()), q
        part = half(q) if which == "first" else "tune"
        out.append({"q": q, "lang": lang, "type": kind, "half": part, "set": which, "grades": grades})
    return out


def main() -> None:
    items = listings()
    judged = queries(items)
    (HERE / "corpus.json").write_text(json.dumps(items, ensure_ascii=False, indent=0) + "\n", "utf-8")
    about = ("Graded judgments over corpus.json (2 exactly wanted, 1 acceptable, 0 or absent not); "
             "type device: accessories are 0 and must not be the top hit. Built by build.py.")
    (HERE / "judged.json").write_text(json.dumps({"about": about, "queries": judged}, ensure_ascii=False,
                                                 indent=1) + "\n", "utf-8")
    halves = [q["half"] for q in judged]
    second = sum(q["set"] == "second" for q in judged)
    print(len(items), "listings,", len(judged), "queries:", halves.count("tune"), "tune (of which",
          second, "the second set),", halves.count("heldout"), "heldout")


if __name__ == "__main__":
    main()
