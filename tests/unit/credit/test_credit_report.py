from __future__ import annotations

import json

from services.credit.report import write_report
from services.credit.training import train_with_holdout

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_report_has_metrics_and_both_plots(synthetic_data, tmp_path):
    result = train_with_holdout(synthetic_data, "v-report")
    files = write_report(result, tmp_path / "report")
    doc = json.loads(files.json.read_text())
    assert doc["version"] == "v-report"
    assert set(doc["test"]) >= {"auc", "ks", "gini", "rows", "bads"}
    assert doc["test"]["auc"] == round(result.test.auc, 4)
    for png in (files.roc_png, files.distribution_png):
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    md = files.markdown.read_text()
    assert "roc.png" in md and "score_distribution.png" in md and f"{result.test.auc:.4f}" in md
