import json
from datetime import datetime, timedelta, timezone

import pytest

from services.identifiers import IdHasher
from services.certificates import document
from services.certificates.canonical import canonicalize
from tests.factories.certificates import (IMEI_1, IMEI_2, NOW, OTHER_IMEI, PHONE_SERIAL,
                                          phone_draft)

CERT_ID = "0b7c3f7e-90f5-4d1e-8d35-1d7f5b1b9a01"


HASHER = IdHasher("unit-test-id-hash-key")


def _payload(hasher=HASHER, **over):
    return document.build(phone_draft(**over), certificate_id=CERT_ID, issued_at=NOW, hasher=hasher)


def test_no_raw_identifier_appears_in_the_document():
    text = json.dumps(_payload(), ensure_ascii=False)
    for raw in (IMEI_1, IMEI_2, PHONE_SERIAL, IMEI_1[:14], PHONE_SERIAL[:8]):
        assert raw not in text
    assert '"last4": "7518"' in text and '"last4": "HG7Q"' in text


def test_hashes_are_keyed():
    first = _payload()["device"]["imeis"][0]["hash"]
    assert _payload(IdHasher("another-key"))["device"]["imeis"][0]["hash"] != first


def test_identifier_variants_hash_alike():
    a = _payload()["device"]
    b = _payload(imeis=["４９０１５４２０３２３７５１８", "35 693803-5643809"],
                 serial=PHONE_SERIAL.lower())["device"]
    assert a == b


def test_the_document_is_canonicalisable_and_times_are_utc_z():
    doc = _payload(media=[])
    assert canonicalize(doc)
    assert doc["issued_at"] == "2026-05-20T10:00:00Z"
    shanghai = timezone(timedelta(hours=8))
    assert document.utc_text(datetime(2026, 5, 20, 18, 0, 0, 999, tzinfo=shanghai)) == \
        "2026-05-20T10:00:00Z"
    with pytest.raises(ValueError):
        document.utc_text(datetime(2026, 5, 20))


def test_matching_a_callers_imei_or_serial():
    doc = _payload()
    assert document.matches(HASHER, doc, imei=IMEI_2)
    assert document.matches(HASHER, doc, imei="4901 5420 3237 518")
    assert not document.matches(HASHER, doc, imei=OTHER_IMEI)  # a certificate replayed on another device
    assert document.matches(HASHER, doc, serial=PHONE_SERIAL.lower())
    assert not document.matches(HASHER, doc, serial="F2LXK0ABHG7R")
    # an IMEI offered as a serial is not a match: the purposes keep the hash spaces apart
    assert not document.matches(HASHER, doc, serial=IMEI_1)
    assert not document.matches(HASHER, doc)


def test_device_hashes_cover_imeis_and_serial():
    doc = _payload()
    assert document.device_hashes(doc) == {
        HASHER.hash(IMEI_1, purpose="device"), HASHER.hash(IMEI_2, purpose="device"),
        HASHER.hash(PHONE_SERIAL, purpose="serial")}


def test_masked_summary_shows_no_hash_and_no_names():
    summary = document.masked_summary(_payload())
    text = json.dumps(summary, ensure_ascii=False)
    assert summary["imeis"] == ["****7518", "****3809"] and summary["serial"] == "****HG7Q"
    assert "hash" not in text and "王工" not in text and "tech-1" not in text
    assert summary["media"][0]["level"] == "purge"
