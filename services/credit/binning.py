"""Weight-of-evidence binning with monotone bins.

WoE of a bin is ln(share of all goods in the bin / share of all bads in the bin): positive bins
hold relatively more goods. Bins are monotone in WoE so that every step of a factor moves the
score one way, which is what makes a scorecard explainable ("more no-shows never helps").

- Numeric: quantile pre-bins, small bins merged into a neighbour, then adjacent bins pooled
  until the bad rate (hence WoE) is strictly monotone (pool-adjacent-violators), trying both
  directions and keeping the one with the higher information value (IV).
- Categorical: categories sorted by WoE, then grouped with their nearest-WoE neighbour until
  every group holds a minimum share of rows; the order by WoE makes the groups monotone.

Values not seen in training (and missing values when training had too few of them) fall in a
neutral bin with WoE 0, i.e. they neither help nor hurt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NUMERIC = "numeric"
CATEGORICAL = "categorical"

# Half a count added to goods and bads keeps WoE finite for pure bins.
SMOOTHING = 0.5


@dataclass(frozen=True)
class BinningConfig:
    prebins: int = 20
    min_bin_share: float = 0.05
    max_bins: int = 6
    # A missing-value bin gets its own WoE only when it holds at least this share of rows.
    min_missing_share: float = 0.02


@dataclass
class Bin:
    """One bin. Numeric bins are [lower, upper) with None for an open end."""
    label: str
    woe: float
    count: int
    bads: int
    lower: float | None = None
    upper: float | None = None
    categories: tuple[str, ...] = ()
    special: str | None = None  # "missing" or "other": outside the monotone order

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label, "woe": round(self.woe, 6),
                             "count": self.count, "bads": self.bads}
        if self.special:
            d["special"] = self.special
        elif self.categories:
            d["categories"] = list(self.categories)
        else:
            d["lower"], d["upper"] = self.lower, self.upper
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Bin:
        return cls(label=d["label"], woe=float(d["woe"]), count=int(d.get("count", 0)),
                   bads=int(d.get("bads", 0)), lower=d.get("lower"), upper=d.get("upper"),
                   categories=tuple(d.get("categories", ())), special=d.get("special"))


@dataclass
class FeatureBinning:
    name: str
    kind: str
    bins: list[Bin]
    iv: float = 0.0
    _lookup: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lookup = {c: i for i, b in enumerate(self.bins) for c in b.categories}

    @property
    def ordered(self) -> list[Bin]:
        """The bins that take part in the monotone order (not missing/other)."""
        return [b for b in self.bins if not b.special]

    def special_index(self, kind: str) -> int | None:
        return next((i for i, b in enumerate(self.bins) if b.special == kind), None)

    def indices(self, values: Any) -> np.ndarray:
        """Bin index of each value (vectorised)."""
        if self.kind == NUMERIC:
            x = to_float(values)
            ordered = self.ordered
            cuts = np.array([b.upper for b in ordered[:-1]], dtype=float)
            idx = np.searchsorted(cuts, x, side="right")
            missing = np.isnan(x)
            if missing.any():
                idx[missing] = self.special_index("missing")
            return idx
        other = self.special_index("other")
        return np.array([self._lookup.get(_cat(v), other) for v in values], dtype=int)

    def index(self, value: Any) -> int:
        return int(self.indices([value])[0])

    def woe(self, values: Any) -> np.ndarray:
        table = np.array([b.woe for b in self.bins])
        return table[self.indices(values)]

    def is_monotone(self) -> bool:
        w = [b.woe for b in self.ordered]
        diffs = np.diff(w)
        return bool(np.all(diffs > 0) or np.all(diffs < 0))


def _cat(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def to_float(values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        try:
            out[i] = float(v) if v not in (None, "") else np.nan
        except (TypeError, ValueError):
            out[i] = np.nan
    return out


def woe_value(goods: float, bads: float, total_goods: float, total_bads: float) -> float:
    return math.log(((goods + SMOOTHING) / total_goods) / ((bads + SMOOTHING) / total_bads))


def information_value(goods: np.ndarray, bads: np.ndarray) -> float:
    g = (goods + SMOOTHING) / goods.sum()
    b = (bads + SMOOTHING) / bads.sum()
    return float(np.sum((g - b) * np.log(g / b)))


def _merge_small(counts: np.ndarray, bads: np.ndarray, groups: list[list[int]],
                 min_count: float, key: np.ndarray | None = None) -> list[list[int]]:
    """Merge the smallest group into its closer neighbour until every group has min_count rows."""
    while len(groups) > 1:
        sizes = [counts[g].sum() for g in groups]
        i = int(np.argmin(sizes))
        if sizes[i] >= min_count:
            break
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:
            rate = [bads[g].sum() / max(counts[g].sum(), 1) for g in groups]
            j = i - 1 if abs(rate[i] - rate[i - 1]) <= abs(rate[i] - rate[i + 1]) else i + 1
        a, b = min(i, j), max(i, j)
        groups[a:b + 1] = [groups[a] + groups[b]]
    return groups


def _pool_monotone(counts: np.ndarray, bads: np.ndarray, groups: list[list[int]],
                   increasing: bool) -> list[list[int]]:
    """Pool adjacent violators so the bad rate is strictly monotone in the given direction.

    The comparison uses the smoothed WoE, not the raw bad rate: the two can disagree for bins
    of nearly equal rate, and it is the WoE that must come out monotone.
    """
    def key(g: list[int]) -> float:  # smoothed log odds of bad, monotone like the WoE
        b = bads[g].sum()
        return math.log((b + SMOOTHING) / (counts[g].sum() - b + SMOOTHING))

    stack: list[list[int]] = []
    for g in groups:
        stack.append(list(g))
        while len(stack) > 1:
            r_prev, r_last = key(stack[-2]), key(stack[-1])
            ok = r_last > r_prev if increasing else r_last < r_prev
            if ok:
                break
            last = stack.pop()
            stack[-1] = stack[-1] + last
    return stack


def _limit_bins(counts: np.ndarray, bads: np.ndarray, groups: list[list[int]],
                max_bins: int, total_goods: float, total_bads: float) -> list[list[int]]:
    """Merge the adjacent pair with the closest WoE until at most max_bins remain."""
    while len(groups) > max_bins:
        w = [woe_value(counts[g].sum() - bads[g].sum(), bads[g].sum(), total_goods, total_bads)
             for g in groups]
        i = int(np.argmin(np.abs(np.diff(w))))
        groups[i:i + 2] = [groups[i] + groups[i + 1]]
    return groups


def _prebin_cuts(x: np.ndarray, prebins: int) -> np.ndarray:
    """Cut points for the pre-bins: every distinct value when there are few, else quantiles.

    Counts of rare events are mostly zero: plain quantiles would all be 0 and leave one bin,
    so a value that holds more than one pre-bin's worth of rows always gets a cut just above it.
    """
    if not len(x):
        return np.array([])
    distinct, counts = np.unique(x, return_counts=True)
    if len(distinct) <= prebins:
        return distinct[1:]
    cuts = set(np.quantile(x, np.linspace(0, 1, prebins + 1)[1:-1]).tolist())
    heavy = np.flatnonzero(counts > len(x) / prebins)
    cuts.update(distinct[i + 1] for i in heavy if i + 1 < len(distinct))
    # A cut at the minimum would make an empty first bin.
    return np.array(sorted(c for c in cuts if c > distinct[0]))


def bin_numeric(name: str, values: Any, y: np.ndarray,
                config: BinningConfig = BinningConfig()) -> FeatureBinning:
    """Monotone WoE bins for a numeric feature; `y` is 1 for bad, 0 for good."""
    x = to_float(values)
    y = np.asarray(y, dtype=int)
    total_bads = float(y.sum())
    total_goods = float(len(y) - total_bads)
    present = ~np.isnan(x)
    xp, yp = x[present], y[present]

    cuts = _prebin_cuts(xp, config.prebins)
    idx = np.searchsorted(cuts, xp, side="right")
    k = len(cuts) + 1
    counts = np.bincount(idx, minlength=k).astype(float)
    bads = np.bincount(idx, weights=yp, minlength=k)
    # An empty pre-bin (interpolated quantiles can make one) joins the next non-empty one, so
    # the bins still cover the whole line.
    groups: list[list[int]] = []
    pending: list[int] = []
    for i in range(k):
        pending.append(i)
        if counts[i] > 0:
            groups.append(pending)
            pending = []
    if pending and groups:
        groups[-1].extend(pending)
    if not groups:  # nothing but missing values: one empty bin that scores neutral
        groups = [list(range(k))]

    min_count = config.min_bin_share * len(y)
    best: tuple[float, list[list[int]]] | None = None
    for increasing in (True, False):
        g = _merge_small(counts, bads, [list(x_) for x_ in groups], min_count)
        g = _pool_monotone(counts, bads, g, increasing)
        g = _merge_small(counts, bads, g, min_count)
        g = _limit_bins(counts, bads, g, config.max_bins, total_goods, total_bads)
        # Merging two bins can nudge the smoothed WoE past a neighbour: pool once more, last.
        g = _pool_monotone(counts, bads, g, increasing)
        gb = np.array([bads[x_].sum() for x_ in g])
        gg = np.array([counts[x_].sum() for x_ in g]) - gb
        iv = information_value(gg, gb) if len(g) > 1 else 0.0
        if best is None or iv > best[0]:
            best = (iv, g)
    assert best is not None
    groups = best[1]

    bins: list[Bin] = []
    for n, g in enumerate(groups):
        lo = None if n == 0 else float(cuts[min(g) - 1])
        hi = None if n == len(groups) - 1 else float(cuts[max(g)])
        b = float(bads[g].sum())
        c = float(counts[g].sum())
        bins.append(Bin(label=_interval_label(lo, hi), woe=woe_value(c - b, b, total_goods, total_bads),
                        count=int(c), bads=int(b), lower=lo, upper=hi))
    bins.append(_missing_bin(~present, y, total_goods, total_bads, config))
    iv = _iv_of(bins)
    return FeatureBinning(name=name, kind=NUMERIC, bins=bins, iv=iv)


def bin_categorical(name: str, values: Any, y: np.ndarray,
                    config: BinningConfig = BinningConfig()) -> FeatureBinning:
    """Categories grouped by WoE into monotone bins, each with a minimum share of rows."""
    cats = np.array([_cat(v) for v in values], dtype=object)
    y = np.asarray(y, dtype=int)
    total_bads = float(y.sum())
    total_goods = float(len(y) - total_bads)
    levels = sorted(set(cats))
    counts = np.array([(cats == c).sum() for c in levels], dtype=float)
    bads = np.array([y[cats == c].sum() for c in levels], dtype=float)
    w = np.array([woe_value(c - b, b, total_goods, total_bads) for c, b in zip(counts, bads)])
    order = list(np.argsort(-w, kind="stable"))  # best first, matching numeric display order
    groups = [[int(i)] for i in order]
    groups = _merge_small(counts, bads, groups, config.min_bin_share * len(y))
    groups = _limit_bins(counts, bads, groups, config.max_bins, total_goods, total_bads)
    # Merging can leave equal neighbours; pool once more so WoE stays strictly monotone.
    groups = _pool_monotone(counts, bads, groups, increasing=True)

    bins: list[Bin] = []
    for g in groups:
        b = float(bads[g].sum())
        c = float(counts[g].sum())
        members = tuple(sorted(levels[i] for i in g))
        bins.append(Bin(label=" | ".join(m or "(missing)" for m in members),
                        woe=woe_value(c - b, b, total_goods, total_bads),
                        count=int(c), bads=int(b), categories=members))
    bins.append(Bin(label="(other)", woe=0.0, count=0, bads=0, special="other"))
    return FeatureBinning(name=name, kind=CATEGORICAL, bins=bins, iv=_iv_of(bins))


def _missing_bin(missing: np.ndarray, y: np.ndarray, total_goods: float, total_bads: float,
                 config: BinningConfig) -> Bin:
    c = int(missing.sum())
    b = int(y[missing].sum())
    if c >= config.min_missing_share * len(y):
        woe = woe_value(c - b, b, total_goods, total_bads)
    else:
        woe = 0.0
    return Bin(label="(missing)", woe=woe, count=c, bads=b, special="missing")


def _iv_of(bins: list[Bin]) -> float:
    used = [b for b in bins if b.count > 0]
    if len(used) < 2:
        return 0.0
    bads = np.array([b.bads for b in used], dtype=float)
    goods = np.array([b.count for b in used], dtype=float) - bads
    return information_value(goods, bads)


def _fmt(v: float) -> str:
    return f"{v:g}"


def _interval_label(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return "all"
    if lo is None:
        return f"< {_fmt(hi)}"  # type: ignore[arg-type]
    if hi is None:
        return f">= {_fmt(lo)}"
    return f"[{_fmt(lo)}, {_fmt(hi)})"


def bin_feature(name: str, kind: str, values: Any, y: np.ndarray,
                config: BinningConfig = BinningConfig()) -> FeatureBinning:
    if kind == NUMERIC:
        return bin_numeric(name, values, y, config)
    if kind == CATEGORICAL:
        return bin_categorical(name, values, y, config)
    raise ValueError(f"unknown feature kind {kind!r}")
