"""The listing index serialises its rows by hand (summary_json) for speed; the documented
ListingSummarySchema stays the contract. Both must give the same output for every row."""
import datetime as dt
import uuid

from hypothesis import given, settings, strategies as st

from marketplace.api.listings.schemas import ListingSummarySchema, summary_json
from services.listings.models import Category, Condition, Status
from services.standing.service import SellerSummary

text = st.text(max_size=30)
rows = st.fixed_dictionaries({
    "id": st.uuids(),
    "category": st.sampled_from(list(Category)),
    "kind": st.sampled_from(["refrigerator", "mobile_phone", "passenger_car", "other"]),
    "title": text,
    "price_fen": st.integers(min_value=1, max_value=10**11),
    "negotiable": st.booleans(),
    "condition": st.sampled_from(list(Condition)),
    "region_code": st.sampled_from(["140100", "141100", "310000"]),
    "status": st.sampled_from(list(Status)),
    "seller_type": st.sampled_from(["consumer", "retailer", "recycler"]),
    "brand": st.none() | text,
    "model": st.none() | text,
    "thumbnail_id": st.none() | st.uuids(),
    "wipe_certificate": st.none() | st.fixed_dictionaries({
        "id": st.uuids().map(str), "status": st.sampled_from(["valid", "superseded", "revoked"]),
        "level": st.sampled_from(["clear", "purge", "destroy"]), "organisation": st.none() | text,
        "issued_at": st.just("2026-12-01T08:00:00Z")}),
    "seller": st.none() | st.builds(
        SellerSummary, id=st.uuids(), display_name=text, real_name_verified=st.booleans(),
        organisation_verified=st.booleans(), rating_average=st.none() | st.floats(1, 5).map(lambda f: round(f, 2)),
        rating_count=st.integers(0, 10**6), completed_trades=st.integers(0, 10**6),
        credit_band=st.none() | st.sampled_from(["A", "B", "C", "D", "E"])),
    "created_at": st.datetimes(timezones=st.just(dt.timezone.utc)),
})


@settings(max_examples=300, deadline=None)
@given(rows)
def test_hand_written_summary_matches_the_schema(row):
    assert summary_json(row, seller=row["seller"]) == ListingSummarySchema().dump(row)


def test_a_row_with_a_photo_points_at_its_thumbnail():
    photo = uuid.uuid4()
    row = {"id": uuid.uuid4(), "category": Category.ELECTRONICS, "kind": "mobile_phone", "title": "iPhone 13",
           "price_fen": 250000, "negotiable": True, "condition": Condition.GOOD, "region_code": "140100",
           "status": Status.PUBLISHED, "seller_type": "consumer", "brand": "Apple", "model": "iPhone 13",
           "thumbnail_id": photo, "wipe_certificate": None, "seller": None, "created_at": dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)}
    out = summary_json(row)
    assert out["thumbnail_url"] == f"/api/v1/photos/{photo}"
    assert out["created_at"] == "2026-12-01T08:00:00+00:00" and out["category"] == "electronics"
    assert list(out) == list(ListingSummarySchema().dump(row))  # same keys, same order
