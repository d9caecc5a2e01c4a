"""The listing index serialises its rows by hand (summary_json) for speed; the documented
ListingSummarySchema stays the contract. Both must give the same output for every row."""
import datetime as dt
import uuid

import marshmallow as ma
import pytest
from hypothesis import given, settings, strategies as st

from marketplace.api.listings.schemas import ListingSummarySchema, summary_json
from services.listings import fields as decl
from services.listings.models import Category, Condition, Status
from tests.factories.listing_rows import KINDS, rows as rows_for

# Drawn from the schema's own fields: a field added to it is in every row.
rows = rows_for(ListingSummarySchema)


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


@pytest.mark.parametrize("category,kind", KINDS, ids=[f"{c.value}-{k}" for c, k in KINDS])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_summary_keys_are_the_schema_fields_for_every_kind(category, kind, data):
    row = data.draw(rows_for(ListingSummarySchema, category, kind))
    assert list(summary_json(row, seller=row["seller"])) == list(ListingSummarySchema().fields)


def test_the_summary_schema_is_the_declared_summary():
    assert list(ListingSummarySchema().fields) == [f.name for f in decl.SUMMARY]


@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_a_field_added_to_the_schema_but_not_to_summary_json_is_caught(data):
    # What the tests above rely on: rows follow the schema, so a forgotten field shows.
    grown = ListingSummarySchema.from_dict({"storage_gb": ma.fields.Integer(allow_none=True)}, name="Grown")
    row = data.draw(rows_for(grown))
    assert "storage_gb" in row and "storage_gb" in grown().dump(row)
    assert list(summary_json(row, seller=row["seller"])) != list(grown().fields)
