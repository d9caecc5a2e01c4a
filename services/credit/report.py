"""The training report: held-out AUC, KS and Gini, a ROC curve and the score distributions.

Plots are drawn on matplotlib's object API with the Agg canvas, never pyplot, so writing a
report touches no global state and needs no display.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from services.credit.training import TrainingResult


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    json: Path
    markdown: Path
    roc_png: Path
    distribution_png: Path


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def plot_roc(scores: np.ndarray, y_bad: np.ndarray, path: Path, title: str) -> None:
    y_good = 1 - np.asarray(y_bad)
    fpr, tpr, _ = roc_curve(y_good, scores)
    ks_i = int(np.argmax(tpr - fpr))
    auc = float(np.trapezoid(tpr, fpr))
    fig, ax = _figure()
    ax.plot(fpr, tpr, color="tab:blue", lw=2, label=f"scorecard (AUC = {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="chance")
    ax.vlines(fpr[ks_i], fpr[ks_i], tpr[ks_i], color="tab:red", lw=1.5,
              label=f"KS = {tpr[ks_i] - fpr[ks_i]:.3f}")
    ax.set_xlabel("bads above threshold (false positive rate)")
    ax.set_ylabel("goods above threshold (true positive rate)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


def plot_distribution(scores: np.ndarray, y_bad: np.ndarray, path: Path, title: str) -> None:
    y_bad = np.asarray(y_bad).astype(bool)
    lo, hi = float(np.min(scores)), float(np.max(scores))
    edges = np.linspace(lo, hi if hi > lo else lo + 1, 31)
    fig, ax = _figure()
    ax.hist(scores[~y_bad], bins=edges, density=True, alpha=0.55, color="tab:green",
            label=f"goods (n={int((~y_bad).sum())})")
    ax.hist(scores[y_bad], bins=edges, density=True, alpha=0.55, color="tab:red",
            label=f"bads (n={int(y_bad.sum())})")
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)


def write_report(result: TrainingResult, folder: str | Path) -> ReportFiles:
    """Write report.json, report.md, roc.png and score_distribution.png into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    card = result.scorecard
    files = ReportFiles(folder, folder / "report.json", folder / "report.md",
                        folder / "roc.png", folder / "score_distribution.png")
    plot_roc(result.test_scores, result.test_y, files.roc_png,
             f"ROC on held-out data, scorecard {card.version}")
    plot_distribution(result.test_scores, result.test_y, files.distribution_png,
                      f"Held-out score distribution, scorecard {card.version}")
    factors = [{"name": f.name, "iv": round(f.binning.iv, 4), "coefficient": round(f.coefficient, 4),
                "bins": len(f.binning.ordered)} for f in card.features]
    doc = {"version": card.version, "test": result.test.as_dict(), "train": result.train.as_dict(),
           "factors": factors, "dropped_factors": card.metadata.get("dropped_factors", {}),
           "low_iv_factors": card.metadata.get("low_iv_factors", []),
           "plots": {"roc": files.roc_png.name, "score_distribution": files.distribution_png.name}}
    files.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    t, tr = result.test, result.train
    lines = [
        f"# Scorecard {card.version}: training report", "",
        "| split | rows | bads | AUC | KS | Gini |", "| --- | --- | --- | --- | --- | --- |",
        f"| held-out | {t.rows} | {t.bads} | {t.auc:.4f} | {t.ks:.4f} | {t.gini:.4f} |",
        f"| training | {tr.rows} | {tr.bads} | {tr.auc:.4f} | {tr.ks:.4f} | {tr.gini:.4f} |", "",
        "| factor | IV | coefficient | bins |", "| --- | --- | --- | --- |",
        *[f"| {f['name']} | {f['iv']} | {f['coefficient']} | {f['bins']} |" for f in factors], "",
        "![ROC curve](roc.png)", "", "![Score distribution](score_distribution.png)", "",
    ]
    files.markdown.write_text("\n".join(lines), encoding="utf-8")
    return files
