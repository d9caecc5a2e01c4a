"""Store credit: your accounts and their balances, and an account's statement."""
from __future__ import annotations

from marketplace.api.ledger import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from services.ledger import service as ledger

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
