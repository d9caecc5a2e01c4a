"""`flask credit train` and `flask credit recompute` against the real database."""
from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import select

from bench.credit_german import DEFAULT_CSV
from services import clock
from services.accounts.models import Role, User
from services.audit import AuditEntry
from services.credit.events import record_event
from services.credit.models import CreditScorecard, CreditSubject
from tests.factories.accounts import make_user


def test_train_on_a_csv_writes_the_report_and_the_card(app, tmp_path):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["credit", "train", "--csv", str(DEFAULT_CSV), "--version", "german-cli",
                            "--drop", "personal_status_and_sex", "--drop", "age_in_years",
                            "--drop", "foreign_worker", "--report-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "held-out  AUC" in r.output and "not registered" in r.output
    folder = tmp_path / "german-cli"
    report = json.loads((folder / "report.json").read_text())
    assert report["test"]["auc"] > 0.7 and report["test"]["ks"] > 0.3
    assert (folder / "roc.png").stat().st_size > 10_000
    assert (folder / "score_distribution.png").stat().st_size > 10_000
    assert json.loads((folder / "german-cli.json").read_text())["version"] == "german-cli"


def test_train_on_a_csv_with_protected_columns_is_refused(app, tmp_path):
    r = app.test_cli_runner().invoke(args=["credit", "train", "--csv", str(DEFAULT_CSV), "--report-dir", str(tmp_path)])
    assert r.exit_code != 0
    assert "protected attributes" in r.output and "age_in_years" in r.output


def test_train_on_recorded_outcomes_registers_a_candidate(app, session, tmp_path):
    rng = random.Random(4)
    now = clock.now(session)
    for i in range(120):
        # Plain rows: 120 real registrations would spend most of the test hashing passwords.
        a = User(email=f"outcome{i}@test.huanxin.cn", password_hash="-", role=Role.CONSUMER,
                 display_name=f"outcome {i}", created_at=now - timedelta(days=300))
        session.add(a)
        session.flush()
        risky = i % 4 == 0
        for j in range(rng.randint(3, 12)):
            record_event(session, a.id, "order_completed_buyer", occurred_at=now - timedelta(days=200 - j))
        if risky:
            for j in range(3):
                record_event(session, a.id, "payment_failed", occurred_at=now - timedelta(days=150 + j))
            if rng.random() < 0.7:  # the outcome: a lost dispute within 90 days of the snapshot
                record_event(session, a.id, "dispute_lost", occurred_at=now - timedelta(days=40))
        elif rng.random() < 0.05:
            record_event(session, a.id, "dispute_lost", occurred_at=now - timedelta(days=30))
    session.commit()
    r = app.test_cli_runner().invoke(args=["credit", "train", "--version", "cand-cli", "--report-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "candidate cand-cli registered" in r.output
    row = session.get(CreditScorecard, "cand-cli")
    assert row.status == "candidate" and row.metrics["test"]["auc"] > 0.6
    assert (tmp_path / "cand-cli" / "roc.png").exists()
    assert "payment_failures" in [f["name"] for f in row.document["features"]]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "credit.scorecard.train")) is not None


def test_recompute_command_scores_stale_subjects(app, session):
    a = make_user(session, Role.CONSUMER)
    record_event(session, a.id, "order_completed_buyer")
    session.commit()
    r = app.test_cli_runner().invoke(args=["credit", "recompute"])
    assert r.exit_code == 0, r.output
    assert "1 scores recomputed" in r.output
    session.expire_all()
    assert session.get(CreditSubject, a.id).stale is False
