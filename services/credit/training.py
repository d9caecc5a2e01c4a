"""Fitting a scorecard: WoE binning, logistic regression with one-sign coefficients, PDO scaling.

The recipe, in order:
1. refuse data that cannot make a card (one outcome class, too few bads) and protected inputs;
2. bin every factor into monotone WoE bins (services.credit.binning);
3. drop factors with an information value below `min_iv` (they add noise, not signal);
4. fit a logistic regression of "good" on the WoE values; WoE already points towards good, so
   every coefficient must be positive. A factor with a coefficient <= 0 is dropped (the most
   negative first) and the model refitted, until all agree;
5. turn each bin into points: factor * coefficient * WoE; the intercept becomes base points.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

from services.credit.binning import CATEGORICAL, NUMERIC, BinningConfig, bin_feature
from services.credit.errors import TrainingDataError
from services.credit.protected import check_features
from services.credit.scorecard import DEFAULT_BANDS, ReasonText, Scaling, Scorecard, ScoredFeature

MIN_ROWS = 20
MIN_PER_CLASS = 5


@dataclass
class Dataset:
    """Columns of factor values plus the outcome; y is 1 for bad and 0 for good."""
    columns: dict[str, np.ndarray]
    kinds: dict[str, str]
    y: np.ndarray

    def __post_init__(self) -> None:
        self.y = np.asarray(self.y, dtype=int)
        for name, col in self.columns.items():
            if len(col) != len(self.y):
                raise TrainingDataError(f"column {name} has {len(col)} values for {len(self.y)} outcomes")

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, idx: np.ndarray) -> Dataset:
        return Dataset({k: v[idx] for k, v in self.columns.items()}, dict(self.kinds), self.y[idx])

    def without(self, names: Iterable[str]) -> Dataset:
        drop = set(names)
        return Dataset({k: v for k, v in self.columns.items() if k not in drop},
                       {k: v for k, v in self.kinds.items() if k not in drop}, self.y)


def infer_kind(values: Sequence[Any]) -> str:
    """Numeric when every non-empty value parses as a number."""
    seen = False
    for v in values:
        if v is None or v == "":
            continue
        seen = True
        try:
            float(v)
        except (TypeError, ValueError):
            return CATEGORICAL
    return NUMERIC if seen else CATEGORICAL


def dataset_from_records(records: Sequence[Mapping[str, Any]], outcome: Sequence[int],
                         kinds: Mapping[str, str] | None = None) -> Dataset:
    names = list(records[0]) if records else []
    cols = {n: np.array([r.get(n) for r in records], dtype=object) for n in names}
    k = {n: (kinds or {}).get(n) or infer_kind(cols[n]) for n in names}
    return Dataset(cols, k, np.asarray(outcome, dtype=int))


def load_csv(path: str | Path, target: str, bad_values: Iterable[str] = ("bad", "1"),
             drop: Iterable[str] = ()) -> Dataset:
    """Read a CSV with one outcome column; rows whose outcome is in `bad_values` are bad."""
    bad = {str(v).strip().lower() for v in bad_values}
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise TrainingDataError(f"{path}: no rows")
    if target not in rows[0]:
        raise TrainingDataError(f"{path}: no outcome column {target!r}",
                                fields={"target": [f"columns are: {', '.join(rows[0])}"]})
    y = np.array([1 if r[target].strip().lower() in bad else 0 for r in rows], dtype=int)
    skip = set(drop) | {target}
    records = [{k: v for k, v in r.items() if k not in skip} for r in rows]
    return dataset_from_records(records, y)


@dataclass(frozen=True)
class TrainingConfig:
    binning: BinningConfig = BinningConfig()
    min_iv: float = 0.02
    C: float = 1.0  # inverse L2 strength of the logistic regression
    pdo: float = 50.0
    base_score: float = 600.0
    # Odds good:bad that score `base_score`; None anchors it at the training data's own odds.
    base_odds: float | None = 20.0
    test_size: float = 0.3
    seed: int = 0


def check_trainable(data: Dataset) -> None:
    """Raise TrainingDataError unless the data can make a scorecard."""
    n, bads = len(data), int(data.y.sum())
    if n == 0:
        raise TrainingDataError("no training rows")
    if bads == 0 or bads == n:
        which = "good" if bads == 0 else "bad"
        raise TrainingDataError(
            f"training data has a single outcome class (all {n} rows are {which}); "
            "a scorecard needs both good and bad outcomes", code="credit_single_class")
    if n < MIN_ROWS or min(bads, n - bads) < MIN_PER_CLASS:
        raise TrainingDataError(
            f"too little training data: {n} rows, {bads} bad; need at least {MIN_ROWS} rows "
            f"and {MIN_PER_CLASS} of each class")
    if not data.columns:
        raise TrainingDataError("training data has no factors")
    check_features(data.columns)


def _fit_logistic(x: np.ndarray, good: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit(x, good)
    return model


Progress = Callable[[str], None]


def fit_scorecard(data: Dataset, version: str, config: TrainingConfig = TrainingConfig(),
                  reasons: Mapping[str, ReasonText] | None = None,
                  progress: Progress | None = None, metadata: Mapping[str, Any] | None = None
                  ) -> Scorecard:
    """Fit a scorecard on `data`. Raises TrainingDataError for data that cannot make one."""
    check_trainable(data)
    step = progress or (lambda _msg: None)
    binnings = []
    for name, values in data.columns.items():
        step(f"bin {name}")
        fb = bin_feature(name, data.kinds[name], values, data.y, config.binning)
        if len(fb.ordered) > 1 and fb.iv >= config.min_iv:
            binnings.append(fb)
    if not binnings:
        raise TrainingDataError(f"no factor reaches the minimum information value {config.min_iv}")

    good = 1 - data.y
    woe = {fb.name: fb.woe(data.columns[fb.name]) for fb in binnings}
    dropped: dict[str, str] = {}
    while True:
        step(f"fit logistic regression on {len(binnings)} factors")
        x = np.column_stack([woe[fb.name] for fb in binnings])
        model = _fit_logistic(x, good, config.C)
        coef = model.coef_[0]
        worst = int(np.argmin(coef))
        if coef[worst] > 0:
            break
        dropped[binnings[worst].name] = f"coefficient {coef[worst]:.4f} <= 0"
        del binnings[worst]
        if not binnings:
            raise TrainingDataError("every factor had a wrong-sign coefficient")

    base_odds = config.base_odds or float(good.sum() / data.y.sum())
    scaling = Scaling(pdo=config.pdo, base_score=config.base_score, base_odds=base_odds)
    features = []
    for fb, c in zip(binnings, coef):
        points = [scaling.factor * float(c) * b.woe for b in fb.bins]
        text = (reasons or {}).get(fb.name) or ReasonText.generic(fb.name)
        features.append(ScoredFeature(binning=fb, points=points, coefficient=float(c), reason=text))
    meta = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": "monotone WoE binning + logistic regression (L2, C=%g), PDO scaling" % config.C,
        "training_rows": len(data), "training_bads": int(data.y.sum()),
        "dropped_factors": dropped,
        "low_iv_factors": sorted(set(data.columns) - {fb.name for fb in binnings} - set(dropped)),
        **(metadata or {}),
    }
    return Scorecard(version=version, scaling=scaling, intercept=float(model.intercept_[0]),
                     features=features, bands=DEFAULT_BANDS, metadata=meta)


@dataclass(frozen=True)
class Metrics:
    auc: float
    ks: float
    gini: float
    rows: int
    bads: int

    def as_dict(self) -> dict[str, float | int]:
        return {"auc": round(self.auc, 4), "ks": round(self.ks, 4), "gini": round(self.gini, 4),
                "rows": self.rows, "bads": self.bads}


def metrics_for(scores: np.ndarray, y_bad: np.ndarray) -> Metrics:
    """AUC, KS and Gini of scores where a higher score should mean good."""
    y_good = 1 - np.asarray(y_bad, dtype=int)
    if y_good.min() == y_good.max():
        raise TrainingDataError("cannot measure a scorecard on data with a single outcome class",
                                code="credit_single_class")
    auc = float(roc_auc_score(y_good, scores))
    fpr, tpr, _ = roc_curve(y_good, scores)
    return Metrics(auc=auc, ks=float(np.max(tpr - fpr)), gini=2 * auc - 1,
                   rows=len(y_good), bads=int(np.sum(y_bad)))


def evaluate(card: Scorecard, data: Dataset) -> Metrics:
    return metrics_for(card.raw_scores(data.columns), data.y)


def stratified_split(data: Dataset, test_size: float, seed: int) -> tuple[Dataset, Dataset]:
    check_trainable(data)
    idx = np.arange(len(data))
    tr, te = train_test_split(idx, test_size=test_size, stratify=data.y, random_state=seed)
    return data.subset(np.sort(tr)), data.subset(np.sort(te))


@dataclass
class TrainingResult:
    scorecard: Scorecard
    train: Metrics
    test: Metrics
    test_scores: np.ndarray = field(repr=False)
    test_y: np.ndarray = field(repr=False)


def train_with_holdout(data: Dataset, version: str, config: TrainingConfig = TrainingConfig(),
                       reasons: Mapping[str, ReasonText] | None = None,
                       progress: Progress | None = None) -> TrainingResult:
    """Fit on a stratified training split and measure on the held-out rest.

    The card returned is the one that was measured, so the report describes exactly what an
    operator would promote.
    """
    train, test = stratified_split(data, config.test_size, config.seed)
    meta = {"split": {"test_size": config.test_size, "seed": config.seed,
                      "train_rows": len(train), "test_rows": len(test)}}
    card = fit_scorecard(train, version, config, reasons, progress, metadata=meta)
    test_scores = card.raw_scores(test.columns)
    result = TrainingResult(scorecard=card, train=evaluate(card, train),
                            test=metrics_for(test_scores, test.y),
                            test_scores=test_scores, test_y=test.y)
    card.metadata["metrics"] = {"train": result.train.as_dict(), "test": result.test.as_dict()}
    return result

