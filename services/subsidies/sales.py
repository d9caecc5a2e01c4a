"""Sales a retailer makes at its own till: the record a subsidy reservation and a
reimbursement claim rest on. Raw identifiers are hashed on the way in and never stored."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, identifiers
from services.accounts.models import User
from services.errors import Conflict, NotFound, ValidationFailed
from services.subsidies import quoting
from services.subsidies.campaigns import retailer_org, verified_retailer_org
from services.subsidies.models import TillSale
from services.subsidies.reservations import _jsonable

QUOTE_FIELDS = ("region", "date", "application_date", "purchase", "trade_in")


def _device(hasher: identifiers.IdHasher, kind: str, raw: str | None, field: str) -> tuple[str | None, str | None]:
    """Hash an IMEI (phones, tablets), a VIN (cars) or a serial number; check digits first."""
    if not raw:
        return None, None
    if kind == "mobile_phone":
        if not identifiers.imei_ok(raw):
            raise ValidationFailed("invalid IMEI", fields={field: ["Not a valid IMEI (Luhn check)."]})
        purpose = "device"
    elif kind == "passenger_car":
        if not identifiers.vin_ok(raw):
            raise ValidationFailed("invalid VIN", fields={field: ["Not a valid VIN (check digit)."]})
        purpose = "device"
    else:
        purpose = "serial"
    return hasher.hash(raw, purpose=purpose), identifiers.last4(raw)


def create_sale(session: Session, user: User, data: dict) -> TillSale:
    """Record a till sale for the user's retailer organisation (invoice numbers are unique per
    retailer). The quote part is validated like a quote; identifiers are hashed and masked."""
    org_id = verified_retailer_org(session, user, data.get("org_id"), "sell at the till with subsidies")
    if not identifiers.resident_id_ok(data["buyer_id_number"]):
        raise ValidationFailed("invalid resident ID", fields={"buyer_id_number": [
            "Not a valid 18-character resident ID (GB 11643 check)."]})
    body = {k: data[k] for k in QUOTE_FIELDS if k in data}
    req = quoting.parse(body)
    device_hash, device_last4 = _device(identifiers.hasher(session), req.kind, data.get("device_id"), "device_id")
    old = data.get("old_item") or {}
    old_kind = req.values.get("trade_in.kind") or ""
    old_hash, old_last4 = _device(identifiers.hasher(session), old_kind, old.get("device_id"), "old_item.device_id")
    if session.scalar(select(TillSale.id).where(TillSale.org_id == org_id,
                                                TillSale.invoice_no == data["invoice_no"])):
        raise Conflict("this invoice number is already recorded", code="duplicate_invoice")
    sale = TillSale(
        org_id=org_id, created_by=user.id, invoice_no=data["invoice_no"], sold_on=req.date,
        region_code=req.region, buyer_id_hash=identifiers.hmac_hash(session, data["buyer_id_number"], purpose="resident_id"),
        buyer_id_last4=identifiers.last4(data["buyer_id_number"]), kind=req.kind, brand=data["brand"],
        model=data["model"], device_hash=device_hash, device_last4=device_last4, price_fen=req.price_fen,
        quote_request=_plain(body), recycler_name=old.get("recycler_name"),
        recycling_voucher_no=old.get("recycling_voucher_no"), old_device_hash=old_hash,
        old_device_last4=old_last4, wipe_certificate_id=old.get("wipe_certificate_id"))
    session.add(sale)
    session.flush()
    audit.record(session, user.id, "till_sale.create", "till_sale", sale.id,
                 after={"invoice_no": sale.invoice_no, "price_fen": sale.price_fen, "kind": sale.kind})
    return sale


def _plain(body: dict) -> dict:
    return _jsonable(body)


def get_sale(session: Session, user: User, sale_id) -> TillSale:
    """A till sale, for members of the retailer that recorded it and operators."""
    sale = session.get(TillSale, sale_id)
    if sale is None or (sale.org_id not in user.org_ids() and not user.is_operator):
        raise NotFound("no such sale")
    return sale


def list_sales(user: User, org_id: uuid.UUID | None = None):
    """A select of the retailer's till sales, for pagination."""
    return select(TillSale).where(TillSale.org_id == retailer_org(user, org_id))
