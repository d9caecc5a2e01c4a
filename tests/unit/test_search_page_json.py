"""The search page serialises its hits and facet values by hand (hit_json, facet_value_json) for
speed; the documented SearchHitSchema and FacetValueSchema stay the contract. Both must give the
same output, key for key and in the same order, for every row."""
import datetime as dt

from hypothesis import given, settings, strategies as st

from marketplace.api.listings.schemas import listing_labels
from marketplace.api.search.schemas import FacetValueSchema, SearchHitSchema, facet_value_json, hit_json
from services import labels
from services.listings.models import Category, Condition
from services.standing.service import SellerSummary

text = st.text(max_size=30)
small = st.none() | st.integers(min_value=0, max_value=10**6)
rows = st.fixed_dictionaries({
    "id": st.uuids(),
    "title": text,
    "price_fen": st.integers(min_value=1, max_value=10**11),
    "negotiable": st.booleans(),
    "category": st.sampled_from(list(Category)),
    "kind": st.sampled_from(["refrigerator", "mobile_phone", "passenger_car", "other"]),
    "condition": st.sampled_from(list(Condition)),
    "brand": st.none() | text, "model": st.none() | text,
    "region_code": st.sampled_from(["140100", "141100", "310000"]),
    "seller_type": st.sampled_from(["consumer", "retailer", "recycler"]),
    "energy_grade": st.none() | st.integers(1, 5), "year": small, "mileage_km": small, "storage_gb": small,
    "powertrain": st.none() | st.sampled_from(["bev", "gasoline"]),
    "emission_standard": st.none() | st.sampled_from(["china_6b", "china_5"]),
    "published_at": st.none() | st.datetimes(timezones=st.just(dt.timezone.utc)) | st.datetimes(),
    "wipe_certificate": st.none() | st.fixed_dictionaries({
        "id": st.uuids().map(str), "status": st.sampled_from(["valid", "superseded", "revoked"]),
        "level": st.sampled_from(["clear", "purge", "destroy"]), "organisation": st.none() | text,
        "issued_at": st.just("2026-12-01T08:00:00Z")}),
})
sellers = st.none() | st.builds(
    SellerSummary, id=st.uuids(), display_name=text, real_name_verified=st.booleans(),
    organisation_verified=st.booleans(), rating_average=st.none() | st.floats(1, 5).map(lambda f: round(f, 2)),
    rating_count=st.integers(0, 10**6), completed_trades=st.integers(0, 10**6),
    credit_band=st.none() | st.sampled_from(["A", "B", "C", "D", "E"]))


def _schema_input(row, highlight, distance, score, t, seller) -> dict:
    """What the route handed SearchHitSchema before the hand-written serialiser."""
    return {**row, "title_highlight": highlight, "certificate": row["wipe_certificate"], "seller": seller,
            "distance_km": distance, "score": score, "category": row["category"].value,
            "condition": row["condition"].value,
            "labels": listing_labels(t, row["category"].value, row["kind"], row["condition"].value, "published")}


@settings(max_examples=300, deadline=None)
@given(rows, st.none() | text, st.none() | st.floats(0, 5000).map(lambda f: round(f, 3)),
       st.none() | st.floats(0, 1000, allow_nan=False), st.sampled_from(["zh-CN", "en"]), sellers)
def test_hand_written_hit_matches_the_schema(row, highlight, distance, score, lang, seller):
    t = labels.TABLES[lang]
    expected = SearchHitSchema().dump(_schema_input(row, highlight, distance, score, t, seller))
    got = hit_json(row, highlight, distance, score, t, seller)
    assert got == expected and list(got) == list(expected)


@settings(max_examples=100, deadline=None)
@given(st.one_of(text, st.integers(0, 10**6)), st.integers(0, 10**6),
       st.none() | st.fixed_dictionaries({"zh": text, "en": text}), st.none() | text)
def test_hand_written_facet_value_matches_the_schema(value, count, label, shown):
    expected = FacetValueSchema().dump({"value": value, "count": count, "label": label, "labels": {"value": shown}})
    got = facet_value_json(value, count, label, shown)
    assert got == expected and list(got) == list(expected)
