"""A points scorecard: binned factors -> points, scaled so that PDO points double the odds.

The card is data. A JSON document under services/credit/scorecards/<version>.json holds the
scaling, the bands, and for every factor its bins (bounds or categories), their WoE and the
points they give. Scoring is a lookup and a sum, so a score can always be explained bin by bin.

Scale: score = offset + factor * ln(odds of good), factor = PDO / ln 2 and
offset = base_score - factor * ln(base_odds), so a participant at the base odds scores the base
score and every PDO points more means twice the odds of being good. Scores are clamped to
350-950.

Reasons: for each factor, the points it costs are the points of its best bin minus the points
the participant got; the (at most four) factors that cost the most are the reasons, each with a
stable code and Chinese and English text. A factor the participant has no data for (its missing
or unseen-value bin) is never a reason.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from services.credit.binning import Bin, FeatureBinning
from services.credit.errors import ScorecardError
from services.credit.protected import check_features

SCORECARD_DIR = Path(__file__).with_name("scorecards")
MIN_SCORE = 350
MAX_SCORE = 950
MAX_REASONS = 4
FORMAT = "huanxin.credit.scorecard/1"


@dataclass(frozen=True)
class Scaling:
    pdo: float = 50.0
    base_score: float = 600.0
    base_odds: float = 20.0  # odds good:bad at base_score
    min_score: int = MIN_SCORE
    max_score: int = MAX_SCORE

    def __post_init__(self) -> None:
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ScorecardError("pdo and base_odds must be positive")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def score_for_log_odds(self, log_odds: float | np.ndarray) -> float | np.ndarray:
        """Unclamped score for ln(odds of good)."""
        return self.offset + self.factor * log_odds

    def odds_at(self, score: float) -> float:
        """Odds of good that an unclamped score stands for."""
        return math.exp((score - self.offset) / self.factor)

    def clamp(self, raw: float) -> int:
        return int(min(self.max_score, max(self.min_score, round(raw))))


@dataclass(frozen=True)
class ReasonText:
    code: str
    en: str
    zh: str

    @classmethod
    def generic(cls, feature: str) -> ReasonText:
        words = feature.replace("_", " ")
        return cls(code=feature.upper(), en=words, zh=f"因素：{words}")


@dataclass(frozen=True)
class Band:
    name: str
    min_score: int
    en: str
    zh: str


# Same breakpoints as Sesame Credit on the same 350-950 scale, so 600 means what users expect.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("poor", 350, "Poor", "较差"),
    Band("fair", 550, "Fair", "中等"),
    Band("good", 600, "Good", "良好"),
    Band("very_good", 650, "Very good", "优秀"),
    Band("excellent", 700, "Excellent", "极好"),
)


@dataclass(frozen=True)
class Reason:
    code: str
    feature: str
    points_lost: float
    bin: str
    en: str
    zh: str


@dataclass(frozen=True)
class ScoreResult:
    score: int
    raw: float
    band: str
    reasons: tuple[Reason, ...]
    points: Mapping[str, float]
    bins: Mapping[str, str]
    version: str


@dataclass
class ScoredFeature:
    binning: FeatureBinning
    points: list[float]  # one per bin, parallel to binning.bins
    coefficient: float
    reason: ReasonText

    @property
    def name(self) -> str:
        return self.binning.name

    @property
    def best_points(self) -> float:
        """Points of the factor's best real bin (a thin file's missing bin may score higher, but
        it is not something to aim for)."""
        return max(p for p, b in zip(self.points, self.binning.bins) if not b.special)

    def validate(self) -> None:
        b = self.binning
        if len(self.points) != len(b.bins):
            raise ScorecardError(f"{b.name}: {len(b.bins)} bins but {len(self.points)} points")
        if self.coefficient <= 0:
            raise ScorecardError(f"{b.name}: coefficient {self.coefficient} must be positive")
        ordered = [p for p, bn in zip(self.points, b.bins) if not bn.special]
        woes = [bn.woe for bn in b.ordered]
        if len(ordered) > 1:
            dp = np.diff(ordered)
            dw = np.diff(woes)
            # Ties are allowed: services/credit/honest.py ties a rate's clean bin to its empty one.
            if not (np.all(dp >= 0) or np.all(dp <= 0)):
                raise ScorecardError(f"{b.name}: points are not monotone over its bins")
            moved = dp != 0
            if not np.all(np.sign(dp[moved]) == np.sign(dw[moved])):
                raise ScorecardError(f"{b.name}: points run against WoE (wrong-sign factor)")

    def to_dict(self) -> dict[str, Any]:
        bins = []
        for bn, p in zip(self.binning.bins, self.points):
            d = bn.to_dict()
            d["points"] = round(p, 4)
            bins.append(d)
        return {"name": self.name, "kind": self.binning.kind,
                "coefficient": round(self.coefficient, 8), "iv": round(self.binning.iv, 6),
                "reason": {"code": self.reason.code, "en": self.reason.en, "zh": self.reason.zh},
                "bins": bins}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScoredFeature:
        bins = [Bin.from_dict(b) for b in d["bins"]]
        fb = FeatureBinning(name=d["name"], kind=d["kind"], bins=bins, iv=float(d.get("iv", 0)))
        return cls(binning=fb, points=[float(b["points"]) for b in d["bins"]],
                   coefficient=float(d["coefficient"]), reason=ReasonText(**d["reason"]))


@dataclass
class Scorecard:
    version: str
    scaling: Scaling
    intercept: float  # ln(odds of good) of a participant with every WoE at 0
    features: list[ScoredFeature]
    bands: tuple[Band, ...] = DEFAULT_BANDS
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.features:
            raise ScorecardError("a scorecard needs at least one factor")
        check_features(f.name for f in self.features)
        for f in self.features:
            f.validate()
        mins = [b.min_score for b in self.bands]
        if mins != sorted(mins) or mins[0] != self.scaling.min_score:
            raise ScorecardError("bands must ascend from the minimum score")

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def base_points(self) -> float:
        return float(self.scaling.score_for_log_odds(self.intercept))

    def band_for(self, score: float) -> Band:
        return [b for b in self.bands if score >= b.min_score][-1] if score >= self.bands[0].min_score \
            else self.bands[0]

    def score(self, record: Mapping[str, Any], max_reasons: int = MAX_REASONS) -> ScoreResult:
        """Score one participant's factors (missing keys fall in the neutral missing/other bin)."""
        return self.score_columns({f.name: [record.get(f.name)] for f in self.features}, max_reasons)[0]

    def score_columns(self, columns: Mapping[str, Sequence[Any]],
                      max_reasons: int = MAX_REASONS) -> list[ScoreResult]:
        """Score many participants at once, with points, bins and reasons for each."""
        n = len(next(iter(columns.values()))) if columns else 0
        if n == 0:
            return []
        idx = np.column_stack([
            f.binning.indices(columns[f.name] if f.name in columns else [None] * n)
            for f in self.features])
        pts = np.column_stack([np.asarray(f.points)[idx[:, j]] for j, f in enumerate(self.features)])
        raw = self.base_points + pts.sum(axis=1)
        loss = np.round(np.array([f.best_points for f in self.features]) - pts, 6)
        # A factor with no data (missing) or an unseen value is never a reason: the participant
        # cannot act on it, and "your wipe certificates" means nothing to a consumer who has none.
        special = np.column_stack([np.array([b.special is not None for b in f.binning.bins])[idx[:, j]]
                                   for j, f in enumerate(self.features)])
        loss[special] = 0.0
        # A stable sort keeps the card's factor order among equal losses, so reasons do not
        # flip between recomputations.
        order = np.argsort(-loss, axis=1, kind="stable")[:, :max_reasons]
        labels = [[b.label for b in f.binning.bins] for f in self.features]
        names = self.feature_names
        out = []
        for i in range(n):
            score = self.scaling.clamp(float(raw[i]))
            reasons = tuple(
                Reason(code=self.features[j].reason.code, feature=names[j],
                       points_lost=round(float(loss[i, j]), 2), bin=labels[j][idx[i, j]],
                       en=self.features[j].reason.en, zh=self.features[j].reason.zh)
                for j in order[i] if loss[i, j] > 1e-6)
            out.append(ScoreResult(
                score=score, raw=float(raw[i]), band=self.band_for(score).name, reasons=reasons,
                points={names[j]: float(pts[i, j]) for j in range(len(names))},
                bins={names[j]: labels[j][idx[i, j]] for j in range(len(names))},
                version=self.version))
        return out

    def raw_scores(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        """Unclamped scores for many participants at once (columns: factor -> values)."""
        n = len(next(iter(columns.values())))
        total = np.full(n, self.base_points)
        for f in self.features:
            table = np.asarray(f.points)
            values = columns.get(f.name)
            idx = f.binning.indices(values if values is not None else [None] * n)
            total += table[idx]
        return total

    def scores(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        raw = self.raw_scores(columns)
        return np.clip(np.rint(raw), self.scaling.min_score, self.scaling.max_score).astype(int)

    def to_dict(self) -> dict[str, Any]:
        s = self.scaling
        return {
            "format": FORMAT,
            "version": self.version,
            "scaling": {"pdo": s.pdo, "base_score": s.base_score, "base_odds": s.base_odds,
                        "min_score": s.min_score, "max_score": s.max_score},
            "intercept": round(self.intercept, 8),
            "base_points": round(self.base_points, 4),
            "bands": [{"name": b.name, "min_score": b.min_score, "en": b.en, "zh": b.zh}
                      for b in self.bands],
            "features": [f.to_dict() for f in self.features],
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scorecard:
        if d.get("format") != FORMAT:
            raise ScorecardError(f"not a scorecard document (format {d.get('format')!r})")
        try:
            return cls(version=d["version"], scaling=Scaling(**d["scaling"]),
                       intercept=float(d["intercept"]),
                       features=[ScoredFeature.from_dict(f) for f in d["features"]],
                       bands=tuple(Band(**b) for b in d["bands"]),
                       metadata=dict(d.get("metadata", {})))
        except (KeyError, TypeError, ValueError) as e:
            raise ScorecardError(f"malformed scorecard: {e}") from e

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)

    def save(self, directory: Path = SCORECARD_DIR) -> Path:
        """Write <directory>/<version>.json; versions are immutable, so an existing file is refused."""
        path = Path(directory) / f"{self.version}.json"
        if path.exists():
            raise ScorecardError(f"scorecard version {self.version} already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path


def load_scorecard(version_or_path: str | Path, directory: Path = SCORECARD_DIR) -> Scorecard:
    """Load a scorecard by version (from `directory`) or by file path."""
    p = Path(version_or_path)
    if p.suffix != ".json":
        p = Path(directory) / f"{version_or_path}.json"
    if not p.is_file():
        raise ScorecardError(f"no scorecard {version_or_path}")
    return Scorecard.from_dict(json.loads(p.read_text(encoding="utf-8")))


def available_versions(directory: Path = SCORECARD_DIR) -> list[str]:
    return sorted(p.stem for p in Path(directory).glob("*.json"))
