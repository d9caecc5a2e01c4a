"""What other domains use of the ledger (the rows they join on are in services.ledger.models):
store credit issued, taken back and refunded (trade-in settlement, orders), posting balanced legs
(withdrawals, payment effects) and spending store credit at checkout (`parse_issuer`, `plan`,
`spend`)."""
from __future__ import annotations

from services.ledger.service import (Leg, issue_store_credit, issuer_account, post, refund_store_credit,
                                     store_credit_account, take_up_to)
from services.ledger.spending import PLATFORM, Spent, parse_issuer, plan, spend

__all__ = ["Leg", "PLATFORM", "Spent", "issue_store_credit", "issuer_account", "parse_issuer", "plan", "post",
           "refund_store_credit", "spend", "store_credit_account", "take_up_to"]
