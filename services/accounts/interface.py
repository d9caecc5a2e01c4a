"""What other domains use of accounts (models they join on are in services.accounts.models):
vetted organisations, who acts for which organisation, and the operator's review of an identity
(the identity flow records credit after it)."""
from __future__ import annotations

from services.accounts.membership import acting_org, is_owner, require_owner
from services.accounts.service import review_identity
from services.accounts.vetting import require_verified, verified_ids

__all__ = ["acting_org", "is_owner", "require_owner", "review_identity", "require_verified", "verified_ids"]
