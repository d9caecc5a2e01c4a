"""Recycling vouchers (回收凭证), vehicle scrap records, and items moving through the network."""
from __future__ import annotations

from marketplace.api.pickups import schemas as s
from marketplace.api.pickups.blueprint import blp
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.uow import unit_of_work
from services.flows import resale
from services.pickups import vouchers


@blp.route("/recycling-vouchers/<uuid:voucher_id>", methods=["GET"])
@public
@blp.response(200, s.RecyclingVoucherSchema)
def get_voucher(voucher_id):
    """Check a recycling voucher: anyone holding its id may (no login)."""
    return vouchers.get_public(db.session, voucher_id)


@blp.route("/recycling-vouchers/<uuid:voucher_id>/vehicle", methods=["PATCH"])
@blp.arguments(s.VehicleScrapRecordSchema)
@blp.response(200, s.RecyclingVoucherSchema)
def record_vehicle(data, voucher_id):
    """Recycler staff: the scrap certificate number (报废机动车回收证明) and the deregistration."""
    user = require_user()
    with unit_of_work() as session:
        return vouchers.record_vehicle(session, user, voucher_id, data)


@blp.route("/pickups/items/<uuid:item_id>/moves", methods=["POST"])
@blp.arguments(s.ItemMoveSchema)
@blp.response(201, s.PickupItemSchema)
def move_item(data, item_id):
    """Staff of the facility holding the item: it moved up the network to another facility."""
    user = require_user()
    with unit_of_work() as session:
        return vouchers.move_item(session, user, item_id, data["facility_id"])


@blp.route("/pickups/items/<uuid:item_id>/resale-certificate", methods=["GET"])
@blp.response(200, s.ItemResaleCertificateSchema)
def item_resale_certificate(item_id):
    """The valid data-wipe certificate a collected data-bearing item needs before resale
    (the recycler's staff, operators); 409 wipe_certificate_required without one."""
    return resale.certificate_for_item(db.session, require_user(), item_id)
