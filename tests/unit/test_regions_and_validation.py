from datetime import date

from services import regions
from services.listings.validation import listing_errors


def test_region_table_has_shanxi_and_luliang_counties():
    assert regions.get("140000").name == "山西省"
    assert regions.get("141100").name == "吕梁市"
    counties = [r for r in regions.all_regions().values() if r.parent == "141100"]
    assert len(counties) == 13
    assert regions.chain("141102") == ["141102", "141100", "140000"]
    assert regions.within("141102", "140000") and not regions.within("110101", "140000")
    assert regions.prefix("141100") == "1411" and regions.prefix("140000") == "14"


def test_listing_errors_collects_every_problem():
    errs = listing_errors({"category": "electronics", "region_code": "000000", "price_fen": -1,
                           "condition": "remanufactured", "lat": 37.1,
                           "attributes": {"kind": "mobile_phone", "brand": "Apple", "model": "X"}}, date(2026, 1, 1))
    assert set(errs) == {"region_code", "price_fen", "lat", "attributes.imei"}
