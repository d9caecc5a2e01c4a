"""`flask credit ...`: train a candidate scorecard, recompute scores."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from marketplace.extensions import db
from services.accounts.models import Organization, Role, User
from services.credit.batch import recompute_many
from services.credit.models import CreditSubject
from services.credit.reasons import reason_texts
from services.errors import DomainError

from marketplace import container


def report_root() -> Path:
    return Path(current_app.config.get("CREDIT_REPORT_DIR") or Path(current_app.instance_path) / "credit-reports")


@click.group("credit")
def credit():
    """Credit scoring: training and recomputation."""


def _echo_metrics(result, folder: Path) -> None:
    t, tr = result.test, result.train
    click.echo(f"scorecard {result.scorecard.version}: {len(result.scorecard.features)} factors")
    click.echo(f"  held-out  AUC {t.auc:.4f}  KS {t.ks:.4f}  Gini {t.gini:.4f}  ({t.rows} rows, {t.bads} bad)")
    click.echo(f"  training  AUC {tr.auc:.4f}  KS {tr.ks:.4f}  Gini {tr.gini:.4f}  ({tr.rows} rows, {tr.bads} bad)")
    click.echo(f"  report: {folder / 'report.md'} (roc.png, score_distribution.png)")


@credit.command("train")
@click.option("--version", default=None, help="Version name (default: v<UTC timestamp>).")
@click.option("--snapshots", default=1, show_default=True, help="Outcome snapshots, 90 days apart.")
@click.option("--seed", default=0, show_default=True, help="Seed of the train/test split.")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False),
              help="Train on a CSV instead of recorded outcomes (report only, never registered).")
@click.option("--target", default="creditability", show_default=True, help="CSV outcome column.")
@click.option("--bad-value", "bad_values", multiple=True, default=("bad",), show_default=True,
              help="CSV outcome values that mean bad.")
@click.option("--drop", multiple=True, help="CSV columns to leave out (protected ones must be).")
@click.option("--base-odds", type=float, default=None,
              help="CSV: odds good:bad at 600 (default: the data's own odds).")
@click.option("--synthetic", type=int, default=None,
              help="Train on N synthetic participants (how the shipped default was made).")
@click.option("--report-dir", type=click.Path(file_okay=False), default=None,
              help="Where reports go (default: CREDIT_REPORT_DIR or instance/credit-reports).")
@with_appcontext
def train_cmd(version, snapshots, seed, csv_path, target, bad_values, drop, base_odds, synthetic, report_dir):
    """Fit a scorecard and report AUC, KS and Gini on a held-out split, with ROC and score plots.

    On recorded outcomes (the default) the card is registered as a candidate; an operator
    promotes it through the API. With --csv or --synthetic only the report and the card's JSON
    are written.
    """
    # Lazy: training pulls in the numerical stack (numpy, pandas, plotting), seconds of import
    # that serving and every other command should not pay.
    from services.credit import train_service
    from services.credit.synthetic import PARTICIPANT_CONFIG, dataset
    from services.credit.training import TrainingConfig, load_csv

    root = Path(report_dir) if report_dir else report_root()
    try:
        if csv_path or synthetic:
            version = train_service.check_version(version or train_service.new_version(container.current().deps.clock.now()))
            if csv_path:
                data = load_csv(csv_path, target, bad_values=bad_values, drop=drop)
                config = TrainingConfig(base_odds=base_odds, seed=seed)
                reasons = None
            else:
                data, config, reasons = dataset(synthetic, seed=1), replace(PARTICIPANT_CONFIG, seed=seed), reason_texts()
            with click.progressbar(length=len(data.columns) + 2, label="training") as bar:
                result, folder = train_service.fit_and_report(data, version, config, root, reasons,
                                                              progress=lambda _m: bar.update(1))
            (folder / f"{version}.json").write_text(result.scorecard.to_json() + "\n", encoding="utf-8")
            _echo_metrics(result, folder)
            click.echo(f"  scorecard: {folder / f'{version}.json'} (not registered)")
            return
        session = db.factory()
        try:
            with click.progressbar(length=100, label="training on recorded outcomes") as bar:
                row = train_service.train_on_outcomes(session, None, version=version, snapshots=snapshots,
                                                      seed=seed, report_root=root,
                                                      progress=lambda _m: bar.update(1))
            session.commit()
        finally:
            session.close()
        click.echo(f"candidate {row.version} registered; metrics: {json.dumps(row.metrics)}")
        click.echo(f"  report: {row.report_dir}/report.md")
        click.echo(f"  promote: POST /api/v1/credit/scorecards/{row.version}/promote (operator)")
    except DomainError as e:
        raise click.ClickException(e.detail) from None


@credit.command("recompute")
@click.option("--all", "everyone", is_flag=True, help="Every participant, not only the stale ones.")
@with_appcontext
def recompute_cmd(everyone: bool):
    """Recompute scores (stale ones by default) and append them to the history."""
    session = db.factory()
    try:
        if everyone:
            ids = [*session.scalars(select(User.id).where(User.role == Role.CONSUMER)),
                   *session.scalars(select(Organization.id))]
        else:
            ids = list(session.scalars(select(CreditSubject.subject_id).where(CreditSubject.stale.is_(True))))
        with click.progressbar(length=len(ids), label="scores") as bar:
            n = recompute_many(session, ids, trigger="batch", progress=bar.update)
        session.commit()
    finally:
        session.close()
    click.echo(f"{n} scores recomputed")
