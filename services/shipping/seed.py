"""The demo of `make run`: orders across cities in the offline stand-in flow, so a newcomer sees a
parcel that travelled and can move the others along themselves (README, "Shipping and
notifications"). Paid offline (the cash-on-handover gateway's hold, confirmed by the seller, as
when the buyer paid by bank transfer), shipped with the stand-in carrier (`CARRIER_SOURCE=standin`)."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy.orm import Session

from services import clock, deps
from services.accounts.models import User
from services.disputes import interface as disputes
from services.listings.models import Listing
from services.orders import interface as orders
from services.orders.models import Order
from services.payments.interface import OfflineGateway
from services.shipping import service, tracking
from services.shipping.models import Shipment
from services.shipping.ports import StandInCarrier

# (seller's city, title, model, price, shipping fee, free shipping): each sold to a buyer elsewhere.
ITEMS = (("310100", "海尔冰箱 BCD-216 上海自提或发货", "BCD-216STPT", 90000, 6000, False),
         ("440300", "美的冰箱 BCD-213 深圳 可发顺丰", "BCD-213TM", 80000, 5000, False),
         ("510100", "容声冰箱 BCD-252 成都 包邮", "BCD-252WD2FPQ", 110000, 8000, True))
# Waybill numbers of the stand-in's parcels (YTO's shape): the demo's own range.
WAYBILLS = ("YT2026120500001", "YT2026120500002")


# (session, seller, operator, listing payload) -> the listing, submitted and approved: listings sit
# below shipping and show no create/transition on their interface, so services/demo.py passes it.
Publish = Callable[[Session, User, User, dict], Listing]


def _sold(session: Session, publish: Publish, seller: User, buyer: User, operator: User, item) -> Order:
    """A listing of `seller` in another city, bought by `buyer` and paid offline."""
    region, title, model, price, shipping_fee, free_shipping = item
    listing = publish(session, seller, operator, {
        "category": "appliance", "title": title, "price_fen": price, "condition": "good", "region_code": region,
        "shipping_fee_fen": shipping_fee, "free_shipping": free_shipping,
        "description": "跨城交易演示 Cross-city trade demo",
        "attributes": {"kind": "refrigerator", "brand": "Haier", "model": model, "energy_grade": 2, "year": 2022}})
    order = orders.place(session, buyer, listing.id, gateway=OfflineGateway(), settings=deps.of(session).buying,
                         fulfilment="shipped")
    orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen, actor_id=seller.id,
                           action="paid_offline")
    return order


def _delivered(session: Session, seller: User, order: Order, waybill: str) -> Shipment:
    shipment = service.ship(session, seller, order.id, carrier="yto", tracking_number=waybill)
    # The stand-in's whole itinerary (picked up ... delivered, 36 h), applied now.
    for event in StandInCarrier().poll(shipment, clock.now(session) + timedelta(hours=36)):
        tracking.apply(session, shipment.carrier, event)
    return shipment


def seed(session: Session, people: dict[str, list[User]], *, publish: Publish) -> list[str]:
    """Three cross-city orders (seller -> buyer): consumer3@ -> consumer4@ delivered, acceptance
    window running; consumer5@ -> consumer6@ paid, waiting for the seller to ship; consumer7@ ->
    consumer8@ delivered, disputed and decided `return` (the buyer sends it back)."""
    c, operator = people["consumer"], people["operator"][0]
    delivered = _sold(session, publish, c[2], c[3], operator, ITEMS[0])
    _delivered(session, c[2], delivered, WAYBILLS[0])
    to_ship = _sold(session, publish, c[4], c[5], operator, ITEMS[1])
    returning = _sold(session, publish, c[6], c[7], operator, ITEMS[2])
    _delivered(session, c[6], returning, WAYBILLS[1])
    dispute = disputes.open_dispute(session, c[7], returning.id, reason="not_as_described",
                                    description="压缩机有异响 The compressor rattles")
    disputes.resolve(session, operator, dispute.id, outcome="return", amount_fen=None,
                     note="演示：退货后全额退款 Return, then a full refund", gateway=OfflineGateway())
    session.flush()
    return [f"shipping: order {delivered.id} (consumer3@ sold it to consumer4@ in another city) shipped with the "
            "stand-in carrier and delivered; the acceptance window runs",
            f"shipping: order {to_ship.id} (consumer5@ sold it to consumer6@) paid offline, waiting for the seller to ship",
            f"shipping: order {returning.id} (consumer7@ sold it to consumer8@) delivered, disputed and decided "
            "'return': the buyer sends it back"]
