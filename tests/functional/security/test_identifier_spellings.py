"""An identifier typed with other digits is the same identifier.

Chinese input methods produce full-width digits (４９０１…) and copied text can carry other
scripts' digits (٤٩٠١…). Python's `\\d` and `int()` accept both, so such an IMEI or resident ID
passed every check digit, yet was hashed as a different string: a stolen phone on the blocklist
could be listed, traded in or looked up as clean, and one resident ID verified on two accounts."""
from tests.factories.accounts import make_user
from tests.factories.listings import imei, phone_payload
from tests.factories.tradeins import phone_quote

RESIDENT_ID = "11010519491231002X"


def full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in value)


def arabic_indic(value: str) -> str:
    return "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in value)


def _block(client, operator, value):
    r = client.post("/api/v1/blocklist", json={"kind": "imei", "value": value, "reason": "stolen"},
                    headers=operator.headers)
    assert r.status_code == 201, r.json


def test_a_blocked_imei_in_full_width_digits_cannot_be_listed(client, consumer, operator):
    stolen = imei()
    _block(client, operator, stolen)
    payload = phone_payload()
    payload["attributes"]["imei"] = full_width(stolen)
    r = client.post("/api/v1/listings", json=payload, headers=consumer.headers)
    assert r.status_code == 403 and r.json["code"] == "device_blocklisted", r.json
    assert "attributes.imei" in r.json["errors"]


def test_a_blocked_imei_in_arabic_indic_digits_cannot_be_traded_in(client, consumer, operator, table):
    quote = phone_quote()
    _block(client, operator, quote["imei"])
    quote["imei"] = arabic_indic(quote["imei"])
    r = client.post("/api/v1/tradeins", json=quote, headers=consumer.headers)
    assert r.status_code == 403 and r.json["code"] == "device_blocklisted", r.json


def test_the_blocklist_check_reads_full_width_digits_as_the_same_device(client, operator):
    stolen = imei()
    _block(client, operator, stolen)
    r = client.post("/api/v1/blocklist/check", json={"kind": "imei", "value": full_width(stolen)},
                    headers=operator.headers)
    assert r.status_code == 200 and r.json["blocked"] is True, r.json


def test_one_resident_id_cannot_be_verified_on_a_second_account_in_other_digits(client, session):
    make_user(session, verified_id=RESIDENT_ID)
    second = make_user(session)
    for spelling in (full_width(RESIDENT_ID), arabic_indic(RESIDENT_ID)):
        r = client.post("/api/v1/accounts/me/identity", json={"id_number": spelling}, headers=second.headers)
        assert r.status_code == 409 and r.json["code"] == "identity_in_use", (spelling, r.json)


def test_the_id_number_shown_back_is_masked_in_ascii(client, session):
    user = make_user(session)
    r = client.post("/api/v1/accounts/me/identity", json={"id_number": full_width(RESIDENT_ID)},
                    headers=user.headers)
    assert r.status_code == 200 and r.json["id_number_masked"] == "*" * 14 + "002X", r.json
