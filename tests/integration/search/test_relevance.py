"""Relevance on the judged set (tests/data/search): precision@5 and nDCG@10 for every backend."""
from __future__ import annotations

import math

from search.analysis import plan_query
from search.query import SearchQuery
from tests.factories.search import corpus, judged, key_id

MIN_PRECISION = {"elasticsearch": 0.9, "postgresql": 0.85, "sqlite": 0.85}
MIN_NDCG = {"elasticsearch": 0.85, "postgresql": 0.8, "sqlite": 0.8}


def _run(backend, q: str) -> list[str]:
    result = backend.search(SearchQuery(text=q, sort="relevance", limit=10), plan_query(q))
    return [h.id for h in result.hits]


def _grades(item: dict) -> dict[str, int]:
    grades = {key_id(k): 1 for k in item["relevant"]}
    grades.update({key_id(k): 2 for k in item["top5"]})
    return grades


def precision_at_5(ranked: list[str], grades: dict[str, int]) -> float:
    hits = sum(1 for i in ranked[:5] if i in grades)
    return hits / min(5, len(grades))


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(i, 0) - 1) / math.log2(rank + 2) for rank, i in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg


def test_judged_set_is_large_enough_and_consistent():
    queries = judged()
    keys = {item["key"] for item in corpus()}
    assert len(queries) >= 40
    assert {q["lang"] for q in queries} >= {"zh", "en", "mixed", "model"}
    for q in queries:
        assert q["top5"] or q["relevant"], q["q"]
        assert set(q["top5"] + q["relevant"] + q["must_not"]) <= keys, q["q"]


def test_precision_and_ndcg(corpus_backend, record_property, capsys):
    rows, failures = [], []
    for item in judged():
        ranked = _run(corpus_backend, item["q"])
        grades = _grades(item)
        p5, ndcg = precision_at_5(ranked, grades), ndcg_at_10(ranked, grades)
        rows.append((item["q"], p5, ndcg))
        missing = [k for k in item["top5"] if key_id(k) not in ranked[:5]]
        unwanted = [k for k in item["must_not"] if key_id(k) in ranked[:10]]
        if missing or unwanted:
            failures.append(f"{item['q']!r}: missing from top 5 {missing}, unwanted in top 10 {unwanted}")
    mean_p5 = sum(r[1] for r in rows) / len(rows)
    mean_ndcg = sum(r[2] for r in rows) / len(rows)
    record_property("precision_at_5", round(mean_p5, 3))
    record_property("ndcg_at_10", round(mean_ndcg, 3))
    with capsys.disabled():
        print(f"\n[{corpus_backend.name}] {len(rows)} judged queries: precision@5 = {mean_p5:.3f}, "
              f"nDCG@10 = {mean_ndcg:.3f}; {len(failures)} queries break a must/must-not judgement")
        for line in failures:
            print("   ", line)
    kind = "elasticsearch" if corpus_backend.name == "elasticsearch" else corpus_backend.name
    assert mean_p5 >= MIN_PRECISION[kind]
    assert mean_ndcg >= MIN_NDCG[kind]
