"""Relevance on the realistic judged set (tests/data/search/realistic): P@5, nDCG@10 and
recall@10 per backend on the tuning half and on the held-out half that no tuning looks at.

The second tuning set (queries_tune2.txt) is reported on its own line ("tune2") and is tuning.
Grades: 2 exactly wanted, 1 acceptable, 0 (or absent) not. Relevant means grade >= 1.
P@5 = relevant hits in the top 5 / min(5, relevant); recall@10 = relevant hits in the top 10 /
min(10, relevant); nDCG@10 with gain 2^grade - 1. Only the tuning half's misses are printed.
"""
from __future__ import annotations

import json
import math

import pytest

from search import engine
from search.analysis import plan_query
from search.query import SearchQuery
from tests.factories.search import DATA, BackendFactory, key_id, to_document

REALISTIC = DATA / "realistic"
# What the held-out half reaches, enforced (docs/search.md records the measured values, round 6: 0.913 /
# 0.943 on Elasticsearch, 0.912 / 0.945 on PostgreSQL, 0.906 / 0.943 on SQLite). The issue's target,
# P@5 >= 0.9 on Elasticsearch and PostgreSQL, is reached; these hold what was reached.
MIN_HELDOUT = {
    "elasticsearch": {"p5": 0.91, "ndcg10": 0.94},
    "postgresql": {"p5": 0.91, "ndcg10": 0.94},
    "sqlite": {"p5": 0.90, "ndcg10": 0.94},
}


def realistic_corpus() -> list[dict]:
    return json.loads((REALISTIC / "corpus.json").read_text("utf-8"))


def realistic_queries() -> list[dict]:
    return json.loads((REALISTIC / "judged.json").read_text("utf-8"))["queries"]


@pytest.fixture(scope="module", params=("elasticsearch", "postgresql", "sqlite"))
def realistic_backend(request, es_url, search_pg_url, search_sqlite_url):
    factory = BackendFactory(request.param, es_url, search_pg_url, search_sqlite_url)
    backend = factory.make()
    backend.apply([to_document(item) for item in realistic_corpus()])
    backend.refresh()
    yield backend
    factory.cleanup()


def _ranked(backend, q: str) -> list[str]:
    result = engine.search(backend, SearchQuery(text=q, sort="relevance", limit=10), plan_query(q))
    return [h.id for h in result.hits + result.related]


def precision_at_5(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = [k for k, g in grades.items() if g > 0]
    return sum(1 for i in ranked[:5] if grades.get(i, 0) > 0) / min(5, len(relevant))


def recall_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = [k for k, g in grades.items() if g > 0]
    return sum(1 for i in ranked[:10] if grades.get(i, 0) > 0) / min(10, len(relevant))


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(i, 0) - 1) / math.log2(r + 2) for r, i in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    return dcg / sum((2 ** g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))


def test_the_judged_set_deserves_the_name():
    items, queries = realistic_corpus(), realistic_queries()
    keys = {item["key"] for item in items}
    assert len(items) >= 300 and len(queries) >= 120
    assert {q["half"] for q in queries} == {"tune", "heldout"}
    assert min(sum(q["half"] == h for q in queries) for h in ("tune", "heldout")) >= 60
    second = [q for q in queries if q.get("set") == "second"]
    assert len(second) >= 60 and {q["half"] for q in second} == {"tune"}
    accessories = {item["key"] for item in items if item["accessory"]}
    for q in queries:
        assert set(q["grades"]) <= keys and 2 in q["grades"].values(), q["q"]
        if q["type"] == "device":
            assert not accessories & set(q["grades"]), q["q"]


def test_relevance_on_both_halves(realistic_backend, record_property, capsys):
    name = realistic_backend.name
    accessories = {key_id(i["key"]) for i in realistic_corpus() if i["accessory"]}
    # "tune" is the first set's tuning half (the rows of docs/search.md's history), "tune2" the
    # second tuning set (queries_tune2.txt), "heldout" the first set's held-out half.
    scores: dict[str, list[tuple[float, float, float]]] = {"tune": [], "tune2": [], "heldout": []}
    misses, accessory_tops = [], []
    for item in realistic_queries():
        grades = {key_id(k): g for k, g in item["grades"].items()}
        ranked = _ranked(realistic_backend, item["q"])
        row = (precision_at_5(ranked, grades), ndcg_at_10(ranked, grades), recall_at_10(ranked, grades))
        part = "tune2" if item.get("set") == "second" else item["half"]
        scores[part].append(row)
        if item["type"] == "device" and ranked and ranked[0] in accessories:
            accessory_tops.append(item["q"] if item["half"] == "tune" else "(held out)")
        if item["half"] == "tune" and row[0] < 1:
            misses.append(f"{part:5} {item['q']!r}: P@5 {row[0]:.2f} nDCG@10 {row[1]:.2f}")
    means = {h: [sum(col) / len(col) for col in zip(*rows)] for h, rows in scores.items()}
    with capsys.disabled():
        for h, (p5, ndcg, rec) in means.items():
            record_property(f"{h}_p5", round(p5, 3))
            record_property(f"{h}_ndcg10", round(ndcg, 3))
            print(f"\n[{name}] {h}: {len(scores[h])} queries P@5 = {p5:.3f} nDCG@10 = {ndcg:.3f} "
                  f"recall@10 = {rec:.3f}", end="")
        print(f"\n[{name}] device queries topped by an accessory: {len(accessory_tops)} {accessory_tops}")
        for line in misses:
            print("  ", line)
    heldout = means["heldout"]
    assert heldout[0] >= MIN_HELDOUT[name]["p5"]
    assert heldout[1] >= MIN_HELDOUT[name]["ndcg10"]
    assert not accessory_tops, "device queries whose top hit is an accessory"
