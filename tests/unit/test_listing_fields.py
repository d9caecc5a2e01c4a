"""The declaration of a listing's fields (services/listings/fields.py) is what the query, the
schemas and the validation use: these hold it to the model and to the code that reads it."""
import inspect
from datetime import date

from marketplace.api.listings import schemas
from services.listings import attributes, fields as decl, service
from services.listings.models import Category, Listing
from services.listings.validation import listing_errors


def test_every_declared_column_is_a_listing_column():
    computed = {"thumbnail_id"}  # the index's first-photo subquery
    for f in decl.FIELDS:
        if f.column and f.column not in computed:
            assert f.column in Listing.__table__.c or hasattr(Listing, f.column), f.name
    for column in decl.TYPED:
        assert column in Listing.__table__.c


def test_typed_columns_are_filled_from_declared_attributes():
    declared = {a.name for attrs in attributes.FIELDS.values() for a in attrs}
    for column, sources in decl.TYPED_SOURCES.items():
        assert set(sources) <= declared, column


def test_the_index_takes_every_declared_filter():
    params = inspect.signature(service.browse).parameters
    assert {f.name for f in decl.FILTERS} <= set(params)
    assert set(schemas.BrowseArgs().fields) == {"cursor", "limit", "mine"} | {f.name for f in decl.FILTERS}


def test_request_schemas_take_the_writable_fields():
    assert set(schemas.ListingCreateSchema().fields) == {f.name for f in decl.WRITABLE}
    assert set(schemas.ListingUpdateSchema().fields) == {f.name for f in decl.WRITABLE if f.write == "edit"}
    required = {n for n, f in schemas.ListingCreateSchema().fields.items() if f.required}
    assert required == {f.name for f in decl.WRITABLE if f.required}


def test_declared_bounds_are_the_request_checks(app):
    # The request schema checks dates against the app's clock: inside an app context.
    with app.app_context():
        load = schemas.ListingUpdateSchema().validate
        assert "price_fen" in load({"price_fen": 0}) and "price_fen" not in load({"price_fen": 1})
        assert "price_fen" in load({"price_fen": decl.BY_NAME["price_fen"].maximum + 1})
        assert load({"region_code": "14010"})["region_code"] == ["A 6-digit GB/T 2260 code."]
        assert "lat" in load({"lat": 90.5, "lon": 0})


def test_required_attributes_come_from_the_attribute_declarations():
    for category in Category:
        errors = listing_errors({"category": category.value, "attributes": {}}, date(2026, 1, 1))
        missing = {k.removeprefix("attributes.") for k, v in errors.items() if "Missing data for required field." in v}
        assert missing == {a.name for a in attributes.FIELDS[category] if a.required}, category
