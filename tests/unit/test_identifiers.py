from services import identifiers as ids
from services.identifiers import IdHasher


def test_vin_check_digit_examples():
    assert ids.vin_ok("1M8GDM9AXKP042788")          # the textbook example (check digit X)
    assert not ids.vin_ok("1M8GDM9A1KP042788")
    assert not ids.vin_ok("1M8GDM9AXKP04278")           # 16 characters
    assert not ids.vin_ok("IM8GDM9AXKP042788")          # I is not allowed


def test_imei_luhn():
    assert ids.imei_ok("490154203237518")
    assert not ids.imei_ok("490154203237519")
    assert not ids.imei_ok("49015420323751")
    assert ids.imei_ok("49-015420-323751-8")             # separators are ignored


def test_resident_id_checksum_and_birth_date():
    assert ids.resident_id_ok("11010519491231002X")
    assert ids.resident_id_ok("11010519491231002x")
    assert not ids.resident_id_ok("110105194912310021")  # wrong check character
    assert not ids.resident_id_ok("110105194902300027")  # 30 February


def test_hashes_are_keyed_and_purpose_separated():
    hasher = IdHasher("unit-test-key")
    a = hasher.hash("490154203237518", purpose="device")
    assert a == hasher.hash("4901 5420 3237 518", purpose="device")
    assert a != hasher.hash("490154203237518", purpose="serial")
    assert hasher.matches(a, "490154203237518", purpose="device")
    assert a != IdHasher("another-key").hash("490154203237518", purpose="device")
    assert ids.last4("490154203237518") == "7518" and ids.mask("7518") == "****7518"


def test_unified_social_credit_code_check_character():
    # Published codes of real companies, and the example of GB 32100-2015 itself.
    for code in ("91330100716105852F",   # Alibaba (China) Co., Ltd., Hangzhou
                 "9144030071526726XG",   # Tencent, Shenzhen
                 "914403001922038216",   # Huawei Technologies, Shenzhen
                 "91110108551385082Q",   # Xiaomi, Beijing
                 "91350100M000100Y43"):  # the standard's worked example
        assert ids.uscc_ok(code), code
    assert ids.uscc_ok("91330100716105852f")            # lower case and separators are normalised
    assert ids.uscc_ok("9133 0100 7161 0585 2F")
    assert not ids.uscc_ok("91330100716105852A")        # wrong check character
    assert not ids.uscc_ok("91330100716105853F")        # one digit changed
    assert not ids.uscc_ok("9144030071526762XG")        # two characters swapped
    assert not ids.uscc_ok("91330100716105852")         # 17 characters
    assert not ids.uscc_ok("91330100716105852FF")       # 19 characters
    assert not ids.uscc_ok("9133010071610585IF")        # I is not in the character set
    assert not ids.uscc_ok("91330A00716105852F")        # the division code (3-8) is digits
    assert ids.uscc_check_char("91350100M000100Y4") == "3"
