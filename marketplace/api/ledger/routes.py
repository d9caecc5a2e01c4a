"""Store credit: your accounts and their balances, and an account's statement."""
from __future__ import annotations

from flask import request

from marketplace.api.ledger import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.idempotency import HEADER, idempotent
from marketplace.openapi import Blueprint
from marketplace.uow import unit_of_work
from services.accounts.models import Role
from services.flows import withdrawals
from services.ledger import service as ledger
from services.tradeins import settlement

blp = Blueprint("ledger", __name__, description="Store credit (a double-entry ledger): balances and statements")


@blp.route("/store-credit/accounts", methods=["GET"])
@blp.response(200, s.AccountSchema(many=True))
def list_accounts():
    """Your store-credit accounts; staff also see their organisation's issuer account; operators all."""
    return ledger.accounts_visible_to(db.session, require_user())


@blp.route("/store-credit/accounts/<uuid:account_id>/statement", methods=["GET"])
@blp.arguments(s.StatementArgs, location="query")
@blp.response(200, s.StatementSchema)
def statement(args, account_id):
    """Every movement of the account, newest first, with the balance after it."""
    acc, rows, nxt = ledger.statement(db.session, require_user(), account_id, cursor=args["cursor"],
                                      limit=args["limit"])
    items = [{"id": p.id, "entry_id": e.id, "kind": e.kind, "ref_type": e.ref_type, "ref_id": e.ref_id,
              "memo": e.memo, "amount_fen": p.amount_fen, "balance_after_fen": p.balance_after_fen,
              "created_at": p.created_at} for p, e in rows]
    return {"account": acc, "items": items, "next_cursor": nxt}


@blp.route("/store-credit/withdrawals", methods=["POST"])
@idempotent
@blp.arguments(s.WithdrawalCreateSchema)
@blp.response(201, s.WithdrawalSchema)
@blp.doc(parameters=[{"in": "header", "name": HEADER, "required": True, "schema": {"type": "string"},
                      "description": "Required: a retry with the same key never pays out twice."}])
def withdraw(data):
    """Withdraw platform-issued store credit to your payout account (Stripe Connect, onboarded with
    POST /payments/seller-account). Needs an Idempotency-Key. 409 `insufficient_store_credit`
    names your platform balance; 409 `payout_account_required` until payouts are enabled; 409
    `clawback_open` while you owe money back on a trade-in. The credit is taken at once and the
    transfer made after commit: `status` is `pending` in this answer (a replay repeats it); the
    ledger statement shows the entry's transfer once Stripe made it, or the credit given back
    if Stripe refused."""
    user = require_user(Role.CONSUMER)
    with unit_of_work() as session:
        entry = withdrawals.withdraw(session, user, data["amount_fen"],
                                     key=request.headers.get(HEADER, ""), owes=settlement.outstanding_fen)
        out = {"id": entry.id, "amount_fen": data["amount_fen"], "transfer_id": entry.ref_id,
               "status": withdrawals.transfer_status(entry),
               "balance_fen": ledger.balance(session, user.id, None), "created_at": entry.created_at}
    return out, 201
