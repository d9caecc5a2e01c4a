"""An external credit bureau score, behind an adapter (optional input to a scorecard).

No outside bureau is called: `NullBureau` (the default) knows nobody, and `FileBureau` reads a
file of scores that an operator exported from a bureau (CSV `subject_id,score` or a JSON object
{subject_id: score}). A real bureau client would implement the same `lookup`, with a timeout.
The score becomes the `bureau_score` factor; a card only uses it if it was trained with it, and a
participant the bureau does not know falls in the factor's missing bin.
"""
from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Protocol

from services.credit.errors import ScorecardError

MAX_SCORE = 1000


class Bureau(Protocol):
    name: str

    def lookup(self, subject_id: uuid.UUID) -> int | None:
        """The bureau's score for the participant, or None when it has none."""


class NullBureau:
    name = "none"

    def lookup(self, subject_id: uuid.UUID) -> int | None:
        return None


class FileBureau:
    name = "file"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as e:
            raise ScorecardError(f"bureau file {self.path}: {e.strerror}") from None
        if self.path.suffix == ".json":
            pairs = json.loads(text).items()
        else:
            pairs = ((r["subject_id"], r["score"]) for r in csv.DictReader(text.splitlines()))
        self.scores: dict[uuid.UUID, int] = {}
        for i, (sid, score) in enumerate(pairs, 1):
            try:
                key, value = uuid.UUID(str(sid)), int(score)
            except (ValueError, TypeError):
                raise ScorecardError(f"bureau file {self.path}, entry {i}: not a subject id and a score") from None
            if not 0 <= value <= MAX_SCORE:
                raise ScorecardError(f"bureau file {self.path}, entry {i}: score {value} outside 0-{MAX_SCORE}")
            self.scores[key] = value

    def lookup(self, subject_id: uuid.UUID) -> int | None:
        return self.scores.get(subject_id)


def build(path: str | None) -> Bureau:
    """The bureau chosen by config: a file when CREDIT_BUREAU_FILE is set, else none."""
    return FileBureau(path) if path else NullBureau()
