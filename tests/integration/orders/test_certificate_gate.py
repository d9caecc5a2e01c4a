"""An electronics order is not captured while its device lacks a valid data-wipe certificate:
the buyer's acceptance is kept, the money stays held, and the capture goes through once the
device is certified again."""

from services.certificates import service as certificates
from services.orders import jobs, service as orders
from services.orders.models import OrderStatus as S
from services.payments.models import PaymentStatus
from services.payments.offline import OfflineGateway
from tests.factories.certificates import certify
from tests.factories.listings import phone_payload
from tests.factories.orders import SETTINGS, publish

GW = OfflineGateway()


def test_revoked_certificate_blocks_capture_until_recertified(app, session, buyer, seller, operator):
    ring = app.extensions["huanxin.cert_keyring"]
    payload = phone_payload()
    imei, serial = payload["attributes"]["imei"], payload["attributes"]["serial_number"]
    cert = certify(session, ring, imei=imei, serial=serial)
    listing = publish(session, seller, operator, payload)
    order = orders.place(session, buyer.user, listing.id, gateway=GW, settings=SETTINGS)
    orders.confirm_cash(session, seller.user, order.id, settings=SETTINGS)
    session.commit()
    certificates.revoke(session, operator.user, cert.id, "wrong tool version on the report")
    session.commit()

    orders.accept(session, buyer.user, order.id, gateway=GW)
    session.commit()
    assert order.status == S.ACCEPTED and "wipe_certificate_required" in order.attention
    assert orders.payment(session, order).status == PaymentStatus.AUTHORISED

    certify(session, ring, imei=imei, serial=serial)
    assert jobs.auto_capture(session, gateway=GW, settings=SETTINGS) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.COMPLETED and order.attention is None
