"""What other domains use of accounts (models they join on are in services.accounts.models):
vetted organisations and who acts for which organisation."""
from __future__ import annotations

from services.accounts.membership import acting_org, is_owner, require_owner
from services.accounts.vetting import require_verified, verified_ids

__all__ = ["acting_org", "is_owner", "require_owner", "require_verified", "verified_ids"]
