"""The operator-kept blocklist of lost, stolen and fraudulent devices (IMEI, VIN, serial).
A blocked device can be neither traded in nor listed. Every change is audited."""
from __future__ import annotations

from marketplace.api.blocklist import schemas as s
from marketplace.auth import require_operator
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import identifiers
from services.blocklist import service as blocklist
from services.blocklist.models import Kind, Reason

blp = Blueprint("blocklist", __name__, description="Blocklist of lost, stolen and fraudulent devices (operators)")


@blp.route("/blocklist", methods=["POST"])
@idempotent
@blp.arguments(s.BlockCreateSchema)
@blp.response(201, s.BlockSchema)
def add_entry(data):
    """Block an IMEI (Luhn-checked), VIN (check digit) or serial number."""
    user = require_operator()
    with unit_of_work() as session:
        entry = blocklist.add(session, user, kind=Kind(data["kind"]), value=data["value"],
                              reason=Reason(data["reason"]), reference=data["reference"], note=data["note"])
    return entry, 201, {"Location": f"/api/v1/blocklist/{entry.id}"}


@blp.route("/blocklist", methods=["GET"])
@blp.arguments(s.BlockListArgs, location="query")
@blp.response(200, page_of(s.BlockSchema))
def list_entries(args):
    """Live entries, newest first (`include_removed=true` for the history too)."""
    require_operator()
    rows, nxt = blocklist.browse(db.session, cursor=args["cursor"], limit=args["limit"],
                                 include_removed=args["include_removed"],
                                 kind=Kind(args["kind"]) if args["kind"] else None)
    return page(rows, nxt)


@blp.route("/blocklist/check", methods=["POST"])
@blp.arguments(s.BlockCheckSchema)
@blp.response(200, s.BlockCheckResultSchema)
def check(data):
    """Is this identifier blocked? (POST so that the value stays out of URLs and access logs.)"""
    require_operator()
    kind = Kind(data["kind"])
    entry = blocklist.find(db.session, [blocklist.hash_of(identifiers.hasher(db.session), kind, data["value"])])
    return {"blocked": entry is not None, "entry": entry}


@blp.route("/blocklist/<uuid:entry_id>/removal", methods=["POST"])
@blp.arguments(s.RemovalSchema)
@blp.response(200, s.BlockSchema)
def remove_entry(data, entry_id):
    """Lift a block, with the reason (the entry stays as history)."""
    user = require_operator()
    with unit_of_work() as session:
        return blocklist.remove(session, user, entry_id, data["reason"])
