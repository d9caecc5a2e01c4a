"""Demo store credit: platform credit for consumer1@, so that `make run` (no Stripe) can show a
cross-city order paid, shipped by the stand-in carrier, accepted and completed (README, Buying)."""
from __future__ import annotations

from services.accounts.models import User
from services.ledger import service as ledger
from sqlalchemy.orm import Session

DEMO_CREDIT_FEN = 300_000   # ¥3,000: enough for most demo listings under the README's price_max


def seed(session: Session, holder: User) -> list[str]:
    """Issue DEMO_CREDIT_FEN of platform store credit to `holder`, once (keyed)."""
    ledger.issue_store_credit(session, holder.id, None, DEMO_CREDIT_FEN, ref_type="demo", ref_id=holder.id,
                              idempotency_key=f"demo-credit-{holder.id}", memo="demo credit")
    return [f"store credit: ¥{DEMO_CREDIT_FEN // 100:,} platform credit for {holder.email}"]
