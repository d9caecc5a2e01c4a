"""Waybill formats per carrier and the carrier webhook signature (pure functions)."""
import pytest

from services.shipping import carriers, signing


@pytest.mark.parametrize("code", sorted(carriers.CARRIERS))
def test_each_carriers_own_example_passes_and_is_normalised(code):
    example = carriers.CARRIERS[code].example
    assert carriers.format_error(code, example) == {}
    spaced = " ".join(example[i:i + 4] for i in range(0, len(example), 4)).lower()
    assert carriers.format_error(code, spaced) == {}, spaced


@pytest.mark.parametrize("code,number", [
    ("sf", "SF12345"), ("sf", "YT1234567890123"), ("jd", "SF1234567890123"), ("ems", "EA123456785US"),
    ("zto", "831234567890"), ("yto", "YT12345678901"), ("sto", "1234567890123"), ("yunda", "9312345678901"),
    ("sf", ""), ("sf", "SF1234567890123; DROP"),
])
def test_numbers_of_another_shape_are_refused_on_the_number(code, number):
    assert set(carriers.format_error(code, number)) == {"tracking_number"}


def test_an_unknown_carrier_is_refused_on_the_carrier():
    assert set(carriers.format_error("dhl", "SF1234567890123")) == {"carrier"}


def test_signatures_check_body_timestamp_and_secret():
    raw = b'{"event_id":"e1"}'
    sig = signing.sign("s3cret", 1_800_000_000, raw)
    signing.verify("s3cret", raw, "1800000000", sig, now=1_800_000_100, tolerance=300)
    for args, now in [(("other", raw, "1800000000", sig), 1_800_000_000),
                      (("s3cret", raw + b" ", "1800000000", sig), 1_800_000_000),
                      (("s3cret", raw, "1800000001", sig), 1_800_000_000),
                      (("s3cret", raw, "1800000000", sig), 1_800_000_301),
                      (("s3cret", raw, "soon", sig), 1_800_000_000),
                      (("s3cret", raw, "1800000000", None), 1_800_000_000)]:
        with pytest.raises(signing.BadSignature):
            signing.verify(*args, now=now, tolerance=300)
