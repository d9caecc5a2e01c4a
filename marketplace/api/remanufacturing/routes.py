"""Remanufactured goods and NEV battery custody (issue 22): the operator-kept catalogue of
recognised remanufacturers and models (public to read), the operator-kept list of battery
recipients, and recyclers' records of scrapped NEVs' traction batteries with their custody log,
reporting deadlines and the traceability platform export."""
from __future__ import annotations

from flask import Response, jsonify

from marketplace.api.remanufacturing import schemas as s
from marketplace.auth import public, require_operator, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.batteries import custody as batteries, export
from services.remanufacturing import catalogue

blp = Blueprint("remanufacturing", __name__, description="Remanufacturer catalogue and NEV battery custody")


@blp.route("/remanufacturing/catalogue", methods=["POST"])
@idempotent
@blp.arguments(s.RemanEntryCreateSchema)
@blp.response(201, s.RemanEntrySchema)
def add_entry(data):
    """Add a recognised remanufacturer and product model (operators). Refused with the reason
    when quality is below new, or (2021 auto-parts rules) without a public warranty commitment
    or lawful core sourcing."""
    user = require_operator()
    with unit_of_work() as session:
        entry = catalogue.add_entry(session, user, data)
    return entry, 201, {"Location": f"/api/v1/remanufacturing/catalogue/{entry.id}"}


@blp.route("/remanufacturing/catalogue", methods=["GET"])
@public
@blp.arguments(s.RemanEntryListArgs, location="query")
@blp.response(200, page_of(s.RemanEntrySchema))
def list_entries(args):
    """The catalogue a remanufactured listing must name an entry of (`q` matches enterprise,
    product or model)."""
    rows, nxt = catalogue.browse(db.session, q=args["q"], cursor=args["cursor"], limit=args["limit"],
                                 include_withdrawn=args["include_withdrawn"])
    return page(rows, nxt)


@blp.route("/remanufacturing/catalogue/<uuid:entry_id>", methods=["GET"])
@public
@blp.response(200, s.RemanEntrySchema)
def get_entry(entry_id):
    """One catalogue entry (also withdrawn ones, with the reason)."""
    return catalogue.get_entry(db.session, entry_id)


@blp.route("/remanufacturing/catalogue/<uuid:entry_id>/withdrawal", methods=["POST"])
@blp.arguments(s.RemanWithdrawalSchema)
@blp.response(200, s.RemanEntrySchema)
def withdraw_entry(data, entry_id):
    """Withdraw an entry (operators): new remanufactured listings can no longer name it."""
    user = require_operator()
    with unit_of_work() as session:
        return catalogue.withdraw_entry(session, user, entry_id, data["reason"])


@blp.route("/remanufacturing/battery-recipients", methods=["POST"])
@idempotent
@blp.arguments(s.RecipientCreateSchema)
@blp.response(201, s.RecipientSchema)
def add_recipient(data):
    """List a maker's collection point, cascade-use or recycling firm (operators)."""
    user = require_operator()
    with unit_of_work() as session:
        r = batteries.add_recipient(session, user, data)
    return r, 201, {"Location": f"/api/v1/remanufacturing/battery-recipients/{r.id}"}


@blp.route("/remanufacturing/battery-recipients", methods=["GET"])
@blp.arguments(s.RecipientListArgs, location="query")
@blp.response(200, page_of(s.RecipientSchema))
def list_recipients(args):
    """Recipients a removed traction battery may be handed to."""
    require_user()
    rows, nxt = batteries.browse_recipients(db.session, cursor=args["cursor"], limit=args["limit"],
                                            recipient_type=args["recipient_type"])
    return page(rows, nxt)


@blp.route("/remanufacturing/battery-recipients/<uuid:recipient_id>/withdrawal", methods=["POST"])
@blp.arguments(s.RemanWithdrawalSchema)
@blp.response(200, s.RecipientSchema)
def withdraw_recipient(data, recipient_id):
    """Take a recipient off the list (operators)."""
    user = require_operator()
    with unit_of_work() as session:
        return batteries.withdraw_recipient(session, user, recipient_id, data["reason"])


@blp.route("/remanufacturing/batteries", methods=["POST"])
@idempotent
@blp.arguments(s.BatteryCreateSchema)
@blp.response(201, s.BatterySchema)
def record_battery(data):
    """Record a scrapped NEV's traction battery (GB/T 34014 pack code) against its VIN (verified
    recyclers). Without its battery the vehicle is flagged incomplete (车电一体)."""
    user = require_user()
    with unit_of_work() as session:
        b = batteries.record(session, user, data)
    return b, 201, {"Location": f"/api/v1/remanufacturing/batteries/{b.id}"}


@blp.route("/remanufacturing/batteries", methods=["GET"])
@blp.arguments(s.BatteryListArgs, location="query")
@blp.response(200, page_of(s.BatterySchema))
def list_batteries(args):
    """The recycler's battery records."""
    rows, nxt = batteries.browse(db.session, require_user(), args["org_id"], cursor=args["cursor"],
                                 limit=args["limit"])
    return page(rows, nxt)


@blp.route("/remanufacturing/batteries/<uuid:battery_id>", methods=["GET"])
@blp.response(200, s.BatterySchema)
def get_battery(battery_id):
    """One battery with its custody log and each step's reporting deadline."""
    return batteries.get(db.session, require_user(), battery_id)


@blp.route("/remanufacturing/batteries/<uuid:battery_id>/handover", methods=["POST"])
@blp.arguments(s.HandOverSchema)
@blp.response(200, s.BatterySchema)
def hand_over(data, battery_id):
    """Hand the battery to a listed recipient; anyone else is refused (422 `recipient_id`)."""
    user = require_user()
    with unit_of_work() as session:
        return batteries.hand_over(session, user, battery_id, data["recipient_id"], data["on"], data["late_reason"])


@blp.route("/remanufacturing/batteries/<uuid:battery_id>/events/<uuid:event_id>/report", methods=["POST"])
@blp.arguments(s.BatteryReportSchema)
@blp.response(200, s.BatteryEventSchema)
def report_event(data, battery_id, event_id):
    """Record the traceability platform's reference for an uploaded step (late ones are marked)."""
    user = require_user()
    with unit_of_work() as session:
        return batteries.mark_reported(session, user, battery_id, event_id, data["platform_ref"])


@blp.route("/remanufacturing/battery-deadlines", methods=["GET"])
@blp.arguments(s.BatteryDeadlineArgs, location="query")
@blp.response(200, s.BatteryDeadlineListSchema)
def deadlines(args):
    """Steps not yet reported to the traceability platform, soonest due first, with the working
    days left (Chinese calendar with 调休); `overdue=true` for the missed ones."""
    items = batteries.deadlines(db.session, require_user(), args["org_id"], overdue_only=args["overdue"])
    return {"rules": export.RULES_NOTE, "items": items}


_FILES = {"csv": (export.to_csv, "text/csv; charset=utf-8"),
          "xlsx": (export.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@blp.route("/remanufacturing/battery-export", methods=["GET"])
@blp.arguments(s.BatteryExportArgs, location="query")
@blp.response(200, s.BatteryExportSchema, description="JSON, or a CSV / .xlsx file with format=csv|xlsx")
def battery_export(args):
    """The recycler's custody events in the traceability platform's fields, to upload."""
    rows = export.rows(db.session, require_user(), args["org_id"], start=args["start"], end=args["end"])
    if args["format"] in _FILES:
        render, mimetype = _FILES[args["format"]]
        return Response(render(rows), mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="battery_traceability.{args["format"]}"'})
    return jsonify({"columns": [list(c) for c in export.COLUMNS], "items": rows})
