"""GET of a listing serialises by hand (listing_json) for speed; the documented ListingSchema
stays the contract. Both must give the same output for every listing, photos included."""
import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from marketplace.api.listings.schemas import ListingSchema, listing_json
from services.listings import fields as decl
from tests.factories.listing_rows import KINDS, listings as listings_for

# Drawn from the schema's own fields: a field added to it is on every listing drawn.
listings = listings_for(ListingSchema)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listing=listings)
def test_hand_written_listing_matches_the_schema(app, listing):
    with app.test_request_context():
        ours, documented = listing_json(listing), ListingSchema().dump(listing)
    assert ours == documented
    assert list(ours) == list(documented)  # same keys, same order


def test_get_listing_over_http_matches_the_schema(app, client, session, consumer):
    from tests.factories.listings import fridge_payload
    created = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json
    r = client.get(f"/api/v1/listings/{created['id']}", headers=consumer.headers)
    assert r.status_code == 200 and r.json == created  # the create response goes through ListingSchema
    assert r.json["seller"]["id"] == str(consumer.id) and r.json["seller"]["completed_trades"] == 0


@pytest.mark.parametrize("category,kind", KINDS, ids=[f"{c.value}-{k}" for c, k in KINDS])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_listing_keys_are_the_schema_fields_for_every_kind(app, category, kind, data):
    listing = data.draw(listings_for(ListingSchema, category, kind))
    with app.test_request_context():
        assert list(listing_json(listing)) == list(ListingSchema().fields)


def test_the_listing_schema_is_the_declared_detail():
    assert list(ListingSchema().fields) == [f.name for f in decl.DETAIL]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_field_added_to_the_schema_but_not_to_listing_json_is_caught(app, data):
    grown = ListingSchema.from_dict({"storage_gb": ma.fields.Integer(allow_none=True)}, name="Grown")
    listing = data.draw(listings_for(grown))
    with app.test_request_context():
        assert "storage_gb" in grown().dump(listing) and "storage_gb" not in listing_json(listing)
