"""`flask certificates new-key`: mint a signing key for CERT_SIGNING_KEYS (rotation)."""
from __future__ import annotations

import json
import secrets

import click

from services.certificates.signing import new_private_key_b64


@click.group("certificates")
def certificates_cli():
    """Data-wipe certificate signing keys."""


@certificates_cli.command("new-key")
@click.option("--kid", default=None, help="Key id; default: cert-<random>.")
def new_key(kid: str | None):
    """Print a new {kid: private key} entry. Add it to CERT_SIGNING_KEYS (keep the old ones, so
    their certificates still verify) and set CERT_SIGNING_ACTIVE_KID to rotate."""
    click.echo(json.dumps({kid or f"cert-{secrets.token_hex(4)}": new_private_key_b64()}))
