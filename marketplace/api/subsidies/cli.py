"""`flask subsidies lint [FILE_OR_DIR ...]`: reject invalid programme files, naming file and field."""
from __future__ import annotations

import click

from subsidies.lint import lint


@click.group("subsidies")
def subsidies_cli():
    """Trade-in subsidy programmes."""


@subsidies_cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def lint_cmd(paths):
    """Check programme files (default: the shipped ones); exit 1 on any problem."""
    issues = lint(paths or None)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        raise SystemExit(1)
    click.echo("programme files ok")
