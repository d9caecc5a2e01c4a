"""Privileges by credit band, as configurable data (privileges.json or a file named by config).

Other domains ask `privileges_for(session, subject_id)` (in service.py) and read the flags here.
Each one is a promise kept where it applies, with a test each:
- `tradein_prepayment`, `tradein_prepayment_limit_fen`: the trade-in flow prepays before
  inspection up to the limit (services/tradeins/ports.py CreditServicePort).
- `listing_limit`: listings in review, on sale or reserved at once (services/listings/trust.py).
- `manual_review_new_listings`: false publishes a submitted listing at once
  (services/listings/trust.py).
A flag must not be added here before the domain it concerns enforces it.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.credit.errors import ScorecardError

DEFAULT_PRIVILEGES_FILE = Path(__file__).with_name("privileges.json")
FORMAT = "huanxin.credit.privileges/1"


@dataclass(frozen=True)
class Privileges:
    band: str
    tradein_prepayment: bool
    tradein_prepayment_limit_fen: int
    listing_limit: int
    manual_review_new_listings: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PrivilegePolicy:
    bands: dict[str, Privileges]

    def for_band(self, band: str) -> Privileges:
        try:
            return self.bands[band]
        except KeyError:
            raise ScorecardError(f"no privileges configured for band {band!r}") from None

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> PrivilegePolicy:
        if doc.get("format") != FORMAT:
            raise ScorecardError(f"not a privileges document (format {doc.get('format')!r})")
        names = {f.name for f in fields(Privileges)} - {"band"}
        bands = {}
        for band, p in doc["bands"].items():
            if set(p) != names:
                raise ScorecardError(f"privileges for {band}: expected keys {sorted(names)}")
            if p["tradein_prepayment_limit_fen"] < 0 or p["listing_limit"] < 0:
                raise ScorecardError(f"privileges for {band}: limits cannot be negative")
            bands[band] = Privileges(band=band, **p)
        return cls(bands)


@lru_cache(maxsize=8)
def load_policy(path: str | None = None) -> PrivilegePolicy:
    """The privilege policy from `path`, or the shipped default."""
    p = Path(path) if path else DEFAULT_PRIVILEGES_FILE
    return PrivilegePolicy.from_dict(json.loads(p.read_text(encoding="utf-8")))
