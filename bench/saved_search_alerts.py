"""Saved-search alerts: the job's time for 10,000 saved searches against 1,000 new listings,
beside the naive baseline of running each saved search on its own against the whole catalogue
(newest first, keeping what is newer than the watermark).

Both run on the embedded database backend (SQLite, built by the real migrations). The baseline
is timed on a sample of saved searches and scaled to all of them (it says so).

    .venv/bin/python bench/saved_search_alerts.py [--catalogue 20000] [--new 1000] [--searches 10000]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "data" / "search" / "corpus.json"
JUDGED = ROOT / "tests" / "data" / "search" / "judged.json"


def _backend(tmp: Path, name: str):
    from marketplace.cli import upgrade
    from search.backends.database import DatabaseBackend
    url = f"sqlite:///{tmp / name}"
    upgrade(url)
    return DatabaseBackend(create_engine(url))


def _documents(n: int, start: datetime, rng: random.Random):
    from search.documents import SearchDocument
    from search.labels import attribute_words
    items = json.loads(CORPUS.read_text("utf-8"))
    docs = []
    for i in range(n):
        it = items[i % len(items)]
        docs.append(SearchDocument(
            id=str(uuid.UUID(int=rng.getrandbits(128))), revision=1, published=True, title=it["title"],
            description=it.get("description") or "", brand=it.get("brand"), model=it.get("model"),
            category=it["category"], kind=it["kind"], condition=it["condition"],
            labels=attribute_words(it["kind"], it.get("powertrain"), it.get("emission_standard"), it.get("energy_grade")),
            price_fen=int(it["price_fen"] * rng.uniform(0.6, 1.4)), region_code=it["region_code"],
            energy_grade=it.get("energy_grade"), powertrain=it.get("powertrain"),
            emission_standard=it.get("emission_standard"), year=it.get("year"), mileage_km=it.get("mileage_km"),
            storage_gb=it.get("storage_gb"), seller_type=it["seller_type"], lat=it["lat"], lon=it["lon"],
            published_at=start + timedelta(seconds=i)))
    return docs


def _searches(n: int, rng: random.Random):
    from marketplace.api.search.routes import VOCABULARIES
    from search.query import parse_params
    texts = [q["q"] for q in json.loads(JUDGED.read_text("utf-8"))["queries"]]
    out = []
    for i in range(n):
        params = {"q": rng.choice(texts)}
        if rng.random() < 0.5:
            params["price_max"] = str(rng.choice((50_000, 100_000, 200_000, 500_000, 5_000_000)))
        if rng.random() < 0.2:
            params["condition"] = rng.choice(("like_new", "good"))
        out.append((i, parse_params(params, vocabularies=VOCABULARIES)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalogue", type=int, default=20_000)
    ap.add_argument("--new", type=int, default=1_000)
    ap.add_argument("--searches", type=int, default=10_000)
    ap.add_argument("--baseline-sample", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    from search import alerts
    from search.analysis import plan_query

    rng = random.Random(args.seed)
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    watermark = t0 + timedelta(seconds=args.catalogue)
    old = _documents(args.catalogue, t0, rng)
    new = _documents(args.new, watermark + timedelta(seconds=1), rng)
    searches = _searches(args.searches, rng)
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = _backend(Path(tmp), "catalogue.db")
        catalogue.rebuild(old + new)
        batch = _backend(Path(tmp), "batch.db")

        started = time.perf_counter()
        matched = alerts.match(batch, new, searches)
        job_s = time.perf_counter() - started

        sample = searches[: args.baseline_sample]
        started = time.perf_counter()
        naive = {}
        for sid, query in sample:
            q = dataclasses.replace(query, sort="newest", after=None, limit=args.new, facets=())
            hits = catalogue.search(q, plan_query(query.text)).hits
            fresh = {d.id for d in new}
            ids = [h.id for h in hits if h.id in fresh]
            if ids:
                naive[sid] = ids
        sample_s = time.perf_counter() - started
    baseline_s = sample_s * len(searches) / len(sample)
    same = all(sorted(naive.get(sid, [])) == sorted(matched.get(sid, [])) for sid, _ in sample)
    print(f"catalogue {args.catalogue} + new {args.new}, saved searches {len(searches)} "
          f"({len({alerts._key(q) for _, q in searches})} distinct)")
    print(f"alert job: {job_s:.2f} s; baseline (each search on its own over the catalogue): "
          f"{baseline_s:.1f} s (timed on {len(sample)}, scaled); speed-up {baseline_s / job_s:.1f}x; "
          f"same answers on the sample: {same}; searches with matches: {len(matched)}")


if __name__ == "__main__":
    main()
