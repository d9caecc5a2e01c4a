"""GET of a listing serialises by hand (listing_json) for speed; the documented ListingSchema
stays the contract. Both must give the same output for every listing, photos included."""
import datetime as dt
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings, strategies as st

from marketplace.api.listings.schemas import ListingSchema, listing_json
from services.listings.models import Category, Condition, Status
from services.standing.service import SellerSummary

text = st.text(max_size=30)
maybe_text = st.none() | text
when = st.datetimes(timezones=st.just(dt.timezone.utc))
photos = st.lists(st.builds(SimpleNamespace, id=st.uuids(), content_type=st.sampled_from(["image/jpeg", "image/webp"]),
                            width=st.integers(1, 8000), height=st.integers(1, 8000),
                            size_bytes=st.integers(1, 10**7)), max_size=3)
# The denormalised certificate summary (services/certificates/summary.py), or none.
certificates = st.none() | st.fixed_dictionaries({
    "id": st.uuids().map(str), "status": st.sampled_from(["valid", "superseded", "revoked"]),
    "level": st.sampled_from(["clear", "purge", "destroy"]), "organisation": maybe_text,
    "issued_at": when.map(lambda w: w.strftime("%Y-%m-%dT%H:%M:%SZ"))})
# The seller's standing (services/standing), or none (an unknown seller).
sellers = st.none() | st.builds(
    SellerSummary, id=st.uuids(), display_name=text, real_name_verified=st.booleans(),
    organisation_verified=st.booleans(), rating_average=st.none() | st.floats(1, 5).map(lambda f: round(f, 2)),
    rating_count=st.integers(0, 10**6), completed_trades=st.integers(0, 10**6),
    credit_band=st.none() | st.sampled_from(["A", "B", "C", "D", "E"]))
listings = st.builds(
    SimpleNamespace, id=st.uuids(), seller_id=st.uuids(), org_id=st.none() | st.uuids(),
    seller_type=st.sampled_from(["consumer", "retailer", "recycler"]), category=st.sampled_from(list(Category)),
    kind=st.sampled_from(["refrigerator", "mobile_phone", "passenger_car", "other"]), title=text, description=text,
    price_fen=st.integers(1, 10**11), negotiable=st.booleans(), condition=st.sampled_from(list(Condition)),
    remanufacturer=maybe_text, reman_cert_no=maybe_text, reman_entry_id=st.none() | st.uuids(),
    warranty_months=st.none() | st.integers(0, 600), legal_class=st.sampled_from(["new", "remanufactured", "refurbished", "used"]),
    cosmetic_grade=st.none() | st.sampled_from(["premium", "excellent", "good", "fair"]),
    inspection=st.none() | st.fixed_dictionaries({"battery_health_pct": st.integers(0, 100), "screen": text}), region_code=st.sampled_from(["140100", "310000"]),
    lat=st.none() | st.floats(-90, 90), lon=st.none() | st.floats(-180, 180), status=st.sampled_from(list(Status)),
    reject_reason=maybe_text,
    attributes=st.none() | st.dictionaries(st.sampled_from(["brand", "model", "year", "storage_gb"]),
                                           st.integers(0, 5000) | text, max_size=4),
    device_last4=st.none() | st.from_regex(r"\A[0-9]{4}\Z"), serial_last4=st.none() | st.from_regex(r"\A[A-Z0-9]{4}\Z"),
    wipe_certificate=certificates, seller_summary=sellers, photos=photos, revision=st.integers(1, 1000), published_at=st.none() | when, created_at=when, updated_at=when)


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
