from __future__ import annotations

import json
import uuid

import numpy as np
import pytest

from services.credit import bureau
from services.credit.errors import ScorecardError
from services.credit.features import AccountFacts, Tally, features_from
from services.credit.synthetic import NOW, PARTICIPANT_CONFIG, dataset
from services.credit.training import Dataset, fit_scorecard


def test_null_bureau_knows_nobody_and_file_bureau_reads_csv_and_json(tmp_path):
    a, b = uuid.uuid4(), uuid.uuid4()
    assert bureau.NullBureau().lookup(a) is None
    csv_file = tmp_path / "b.csv"
    csv_file.write_text(f"subject_id,score\n{a},712\n{b},455\n")
    fb = bureau.FileBureau(csv_file)
    assert (fb.lookup(a), fb.lookup(b), fb.lookup(uuid.uuid4())) == (712, 455, None)
    json_file = tmp_path / "b.json"
    json_file.write_text(json.dumps({str(a): 650}))
    assert bureau.FileBureau(json_file).lookup(a) == 650


@pytest.mark.parametrize("content,match", [("subject_id,score\nnot-a-uuid,700\n", "entry 1"),
                                           (f"subject_id,score\n{uuid.uuid4()},1200\n", "outside")])
def test_bad_bureau_files_are_clear_errors(tmp_path, content, match):
    f = tmp_path / "b.csv"
    f.write_text(content)
    with pytest.raises(ScorecardError, match=match):
        bureau.FileBureau(f)
    with pytest.raises(ScorecardError, match="bureau file"):
        bureau.FileBureau(tmp_path / "missing.csv")


def test_build_chooses_by_config(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("subject_id,score\n")
    assert bureau.build(str(f)).name == "file"
    assert bureau.build(None).name == "none"


def test_a_card_trained_with_bureau_scores_uses_them():
    data = dataset(6000, seed=2)
    rng = np.random.default_rng(0)
    # A bureau whose score tracks the outcome, known for 80% of participants.
    score = np.where(data.y == 1, rng.normal(520, 60, len(data)), rng.normal(680, 60, len(data))).round()
    known = rng.random(len(data)) < 0.8
    cols = dict(data.columns, bureau_score=np.array([int(s) if k else None for s, k in zip(score, known)], dtype=object))
    card = fit_scorecard(Dataset(cols, data.kinds, data.y), "with-bureau", PARTICIPANT_CONFIG)
    assert "bureau_score" in card.feature_names
    f = card.features[card.feature_names.index("bureau_score")]
    assert f.points[f.binning.index(750)] > f.points[f.binning.index(450)]
    facts = AccountFacts(identity_verified=True, opened_at=NOW)
    low = card.score(features_from(facts, Tally(), NOW, 450))
    assert "BUREAU_SCORE" in [r.code for r in low.reasons]
