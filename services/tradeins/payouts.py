"""What the payment provider's answer to a trade-in cash payout does to the trade-in.

The settlement transaction records the payout (`pending`) and a `tradein_payout` payment
operation (services/tradeins/settlement.py); services/payments/relay.py makes the Stripe transfer
after commit and hands the answer here through the `TradeInPayouts` port (services.deps
`tradein_payouts`): payments never imports trade-ins.

The rule for a refusal: a transfer Stripe refuses for good (a decline, never a timeout) is paid
as *platform* store credit instead, at once and exactly once (keyed by the payout), so the
consumer is never left unpaid and can withdraw it as cash once their payout account works
(POST /store-credit/withdrawals). The payout shows `failed`, the refusal and the credit entry.
Attempts that merely failed (Stripe away) are retried by the relay and the reconciliation job;
the payout stays `pending` and shows the last error meanwhile.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.ledger import interface as ledger
from services.tradeins import common
from services.tradeins.models import Payout, TradeIn

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"


def _payout(session: Session, op) -> Payout | None:
    return session.scalar(select(Payout).where(Payout.id == op.payout_id).with_for_update())


@dataclass(frozen=True)
class TradeInPayoutAnswers:
    """services.payments.ports.TradeInPayouts for the trade-in domain."""

    def transfer_applied(self, session: Session, op, result: dict) -> None:
        p = _payout(session, op)
        if p is None or p.status != PENDING:
            return
        p.status, p.reference, p.error = SENT, result["id"], None
        session.flush()

    def transfer_failed(self, session: Session, op, error) -> None:
        p = _payout(session, op)
        if p is not None and p.status == PENDING:
            p.error = f"transfer failed: {error.code}"[:200]
            session.flush()
        log.warning("trade-in transfer failed", extra={"payout_id": str(op.payout_id), "code": error.code})

    def transfer_refused(self, session: Session, op) -> None:
        p = _payout(session, op)
        if p is None or p.status != PENDING:
            return
        t = session.get(TradeIn, p.tradein_id)
        entry = ledger.issue_store_credit(session, p.user_id, None, op.amount_fen, ref_type="tradein", ref_id=t.id,
                                          idempotency_key=f"tradein-payout-refused:{p.id}",
                                          memo=f"trade-in {t.brand} {t.model}: transfer refused, paid as store credit")
        p.status, p.reference = FAILED, f"ledger:{entry.id}"
        p.error = (op.last_error or "refused by the payment provider")[:200]
        common.record(session, t, t.status, t.status, None,
                      f"cash transfer of {op.amount_fen} fen refused: paid as platform store credit")
        audit.record(session, None, "tradein.payout_refused", "tradein", t.id,
                     after={"payout_id": str(p.id), "amount_fen": op.amount_fen, "store_credit_entry": str(entry.id)},
                     reason=p.error)
        session.flush()


TRADEIN_PAYOUTS = TradeInPayoutAnswers()
