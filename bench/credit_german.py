"""Validate the scorecard recipe on the German credit data (UCI Statlog, 1,000 rows).

Runs N seeded stratified 70/30 splits, fits a scorecard on each training part with the default
training config and measures it on the held-out part. The protected attributes (personal status
and sex, age, foreign worker) are dropped before anything else.

    .venv/bin/python bench/credit_german.py [--splits 50] [--csv data/german_credit.csv]
                                           [--report-dir /tmp/german-report]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.credit.training import (  # noqa: E402
    Dataset, TrainingConfig, load_csv, train_with_holdout,
)

DEFAULT_CSV = ROOT / "data" / "german_credit.csv"  # shipped in the repo (data/README.md)
TARGET = "creditability"  # "good" (700 rows) or "bad" (300 rows)
PROTECTED = ("personal_status_and_sex", "age_in_years", "foreign_worker")
# Anchor the scale at the data's own odds (7:3) so the 350-950 clamp cuts off almost nobody.
CONFIG = TrainingConfig(base_odds=None)


def load_german(path: Path = DEFAULT_CSV) -> Dataset:
    return load_csv(path, TARGET, bad_values=("bad",), drop=PROTECTED)


def run(data: Dataset, splits: int, config: TrainingConfig = CONFIG) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"auc": [], "ks": [], "gini": [], "auc_clamped": []}
    from sklearn.metrics import roc_auc_score
    for seed in range(splits):
        r = train_with_holdout(data, f"german-{seed}", replace(config, seed=seed))
        out["auc"].append(r.test.auc)
        out["ks"].append(r.test.ks)
        out["gini"].append(r.test.gini)
        clamped = r.scorecard.scaling.min_score, r.scorecard.scaling.max_score
        ints = r.test_scores.round().clip(*clamped)
        out["auc_clamped"].append(float(roc_auc_score(1 - r.test_y, ints)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", type=int, default=50)
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--report-dir", type=Path, help="also write the seed-0 training report here")
    args = ap.parse_args(argv)
    data = load_german(args.csv)
    t0 = time.perf_counter()
    res = run(data, args.splits)
    elapsed = time.perf_counter() - t0
    print(f"German credit, {len(data)} rows, {int(data.y.sum())} bad; protected attributes dropped: "
          f"{', '.join(PROTECTED)}")
    print(f"{args.splits} seeded stratified 70/30 splits, {elapsed:.1f} s")
    for k in ("auc", "ks", "gini", "auc_clamped"):
        v = res[k]
        print(f"  test {k:<12} mean {statistics.mean(v):.4f}  std {statistics.pstdev(v):.4f}  "
              f"min {min(v):.4f}  max {max(v):.4f}")
    if args.report_dir:
        from services.credit.report import write_report
        files = write_report(train_with_holdout(data, "german-seed0", CONFIG), args.report_dir)
        print(f"report: {files.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
