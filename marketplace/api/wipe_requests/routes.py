"""Wipe requests: a consumer asks a recycler to wipe and certify a device (drop-off or with a
pickup); the recycler accepts, declines or fulfils it with the certificate it issued."""
from __future__ import annotations

from marketplace.api.wipe_requests import schemas as s
from marketplace.auth import require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services.certificates import wipe_requests as service
from services.certificates.models import WipeRequestStatus

blp = Blueprint("wipe_requests", __name__, description="Consumers' data-wipe requests to recyclers")


@blp.route("/wipe-requests", methods=["POST"])
@idempotent
@blp.arguments(s.WipeRequestCreateSchema)
@blp.response(201, s.WipeRequestSchema)
def create_request(data):
    """Ask a recycler to wipe and certify your device: `drop_off`, or `pickup` with your booking."""
    user = require_user()
    with unit_of_work() as session:
        req = service.create(session, user, data)
    return req, 201, {"Location": f"/api/v1/wipe-requests/{req.id}"}


@blp.route("/wipe-requests", methods=["GET"])
@blp.arguments(s.WipeRequestArgs, location="query")
@blp.response(200, page_of(s.WipeRequestSchema))
def list_requests(args):
    """Your requests; a recycler's staff see their organisation's queue (filter by `status`)."""
    rows, nxt = service.browse(db.session, require_user(), cursor=args["cursor"], limit=args["limit"],
                               status=WipeRequestStatus(args["status"]) if args["status"] else None)
    return page(rows, nxt)


@blp.route("/wipe-requests/<uuid:request_id>", methods=["GET"])
@blp.response(200, s.WipeRequestSchema)
def get_request(request_id):
    """One request, with its certificate and verification link once certified."""
    return service.get(db.session, require_user(), request_id)


@blp.route("/wipe-requests/<uuid:request_id>/accept", methods=["POST"])
@blp.response(200, s.WipeRequestSchema)
def accept_request(request_id):
    """The recycler's staff take the request on."""
    user = require_user()
    with unit_of_work() as session:
        return service.answer(session, user, request_id, "accept")


@blp.route("/wipe-requests/<uuid:request_id>/decline", methods=["POST"])
@blp.arguments(s.DeclineSchema)
@blp.response(200, s.WipeRequestSchema)
def decline_request(data, request_id):
    """The recycler's staff decline, with a reason."""
    user = require_user()
    with unit_of_work() as session:
        return service.answer(session, user, request_id, "decline", data["reason"])


@blp.route("/wipe-requests/<uuid:request_id>/cancel", methods=["POST"])
@blp.response(200, s.WipeRequestSchema)
def cancel_request(request_id):
    """The consumer withdraws a request not yet certified."""
    user = require_user()
    with unit_of_work() as session:
        return service.cancel(session, user, request_id)


@blp.route("/wipe-requests/<uuid:request_id>/fulfil", methods=["POST"])
@blp.arguments(s.FulfilSchema)
@blp.response(200, s.WipeRequestSchema)
def fulfil_request(data, request_id):
    """The recycler's staff attach the signed certificate they issued for this device."""
    user = require_user()
    with unit_of_work() as session:
        return service.fulfil(session, user, request_id, data["certificate_id"])
