"""Trade-ins for the handler's staff and operators: collect, receive, photograph, inspect, pay,
ship back; release a blocklist hit; record a clawback payment; check resale readiness."""
from __future__ import annotations

from marketplace.api.tradeins import schemas as s
from marketplace.api.tradeins.blueprint import blp
from marketplace.api.tradeins.deps import deps
from marketplace.api.tradeins.views import detail, settle_if_due
from marketplace.auth import require_operator, require_user
from marketplace.extensions import db
from marketplace.uploads import image_response, uploaded_bytes
from marketplace.uow import unit_of_work
from services.tradeins import handling, resale, settlement


@blp.route("/tradeins/<uuid:tradein_id>/collect", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def collect(tradein_id):
    """Staff took the item from the consumer (accepted -> in_transit); an unclaimed trade-in
    becomes your organisation's."""
    user = require_user()
    with unit_of_work() as session:
        return detail(handling.collect(session, user, tradein_id))


@blp.route("/tradeins/<uuid:tradein_id>/receive", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def receive(tradein_id):
    """The item is at your site for inspection (dropped off, or arrived from transit)."""
    user = require_user()
    with unit_of_work() as session:
        return detail(handling.receive(session, user, tradein_id))


@blp.route("/tradeins/<uuid:tradein_id>/photos", methods=["POST"])
@blp.arguments(s.TradeInPhotoUploadSchema, location="files")
@blp.response(201, s.InspectionPhotoSchema)
def upload_photo(files, tradein_id):
    """An inspection photo (JPEG, PNG or WebP, read from the bytes; EXIF removed)."""
    user = require_user()
    with unit_of_work() as session:
        return handling.add_photo(session, deps().storage, user, tradein_id, uploaded_bytes())


@blp.route("/tradeins/photos/<uuid:photo_id>", methods=["GET"])
@blp.response(200, content_type="image/*")
def get_photo(photo_id):
    """An inspection photo, for the consumer, the handler's staff and operators."""
    photo = handling.get_photo(db.session, require_user(), photo_id)
    return image_response(deps().storage.get(photo.storage_key), photo.content_type, public=False)


@blp.route("/tradeins/<uuid:tradein_id>/inspection", methods=["POST"])
@blp.arguments(s.InspectionSchema)
@blp.response(200, s.TradeInDetailSchema)
def inspect(data, tradein_id):
    """The checklist as found, re-priced by the same model: as declared -> paid; worse ->
    counter-offer; Activation Lock/FRP on -> locked (never paid); blocklisted -> blocked."""
    user = require_user()
    with unit_of_work() as session:
        t = handling.inspect(session, user, tradein_id, data, deps())
    return detail(settle_if_due(t, user))


@blp.route("/tradeins/<uuid:tradein_id>/payout", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def payout(tradein_id):
    """Pay an agreed value (inspected -> paid) that was not paid at inspection; a cash transfer
    follows the commit (the payout's `status`)."""
    user = require_user()
    with unit_of_work() as session:
        return detail(settlement.settle(session, user, tradein_id, deps()))


@blp.route("/tradeins/<uuid:tradein_id>/return-shipment", methods=["POST"])
@blp.arguments(s.ReturnShipmentSchema)
@blp.response(200, s.TradeInDetailSchema)
def ship_return(data, tradein_id):
    """Record the carrier and tracking number of a free return."""
    user = require_user()
    with unit_of_work() as session:
        return detail(handling.ship_return(session, user, tradein_id, data["carrier"], data["tracking_no"]))


@blp.route("/tradeins/<uuid:tradein_id>/returned", methods=["POST"])
@blp.response(200, s.TradeInDetailSchema)
def confirm_returned(tradein_id):
    """The consumer has the item back (said by the consumer or the handler's staff)."""
    user = require_user()
    with unit_of_work() as session:
        return detail(handling.confirm_returned(session, user, tradein_id))


@blp.route("/tradeins/<uuid:tradein_id>/release", methods=["POST"])
@blp.arguments(s.ReleaseReasonSchema)
@blp.response(200, s.TradeInDetailSchema)
def release_blocked(data, tradein_id):
    """Operators: after reviewing a blocklist hit, let the item go back to the consumer (audited)."""
    user = require_operator()
    with unit_of_work() as session:
        return detail(handling.release_blocked(session, user, tradein_id, data["reason"]))


@blp.route("/tradeins/clawbacks/<uuid:clawback_id>/payments", methods=["POST"])
@blp.arguments(s.ClawbackPaymentSchema)
@blp.response(200, s.ClawbackSchema)
def record_clawback_payment(data, clawback_id):
    """Operators: record money a consumer paid against a clawback (audited)."""
    user = require_operator()
    with unit_of_work() as session:
        return settlement.record_payment(session, user, clawback_id, data["amount_fen"], data["reference"],
                                         data["note"])


@blp.route("/tradeins/<uuid:tradein_id>/resale-certificate", methods=["GET"])
@blp.response(200, s.ResaleCertificateSchema)
def resale_certificate(tradein_id):
    """The valid data-wipe certificate a paid electronics trade-in needs before resale
    (409 `wipe_certificate_required` otherwise)."""
    user = require_user()
    return resale.certificate_for(db.session, user, tradein_id)
