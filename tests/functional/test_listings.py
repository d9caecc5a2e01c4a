"""Listings through the HTTP API: attributes per category, lifecycle, photos, bad input."""
import io
from pathlib import Path

import pytest
from PIL import Image

from services import clock, identifiers
from tests.factories.certificates import certify
from tests.factories.listings import car_payload, fridge_payload, imei, phone_payload


def _create(client, actor, payload):
    return client.post("/api/v1/listings", json=payload, headers=actor.headers)


def _act(client, actor, lid, action, **kw):
    return client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action, **kw}, headers=actor.headers)


@pytest.mark.smoke
@pytest.mark.parametrize("payload", [phone_payload, fridge_payload, car_payload])
def test_each_category_is_created_with_its_attributes(client, consumer, payload):
    r = _create(client, consumer, payload())
    assert r.status_code == 201, r.json
    assert r.headers["Location"].endswith(r.json["id"])
    body = r.get_data(as_text=True)
    assert "imei" not in r.json["attributes"] and "vin" not in r.json["attributes"]
    if r.json["category"] != "appliance":
        assert r.json["device_masked"].startswith("****")
    assert r.json["status"] == "draft" and r.json["revision"] == 1
    assert "serial_number" not in body


@pytest.mark.parametrize("mutate,field", [
    (lambda p: p["attributes"].update(vin=p["attributes"]["vin"][:8] + ("0" if p["attributes"]["vin"][8] != "0" else "1") + p["attributes"]["vin"][9:]), "attributes.vin"),
    (lambda p: p["attributes"].update(vin="LSVAB1234IOQ56789"), "attributes.vin"),
    (lambda p: p["attributes"].update(powertrain="steam"), "attributes.powertrain"),
    (lambda p: p["attributes"].update(emission_standard="euro_6"), "attributes.emission_standard"),
    (lambda p: p["attributes"].update(first_registration_date="2999-01-01"), "attributes.first_registration_date"),
    (lambda p: p.update(region_code="999999"), "region_code"),
    (lambda p: p.update(region_code="14110"), "region_code"),
    (lambda p: p.update(price_fen=0), "price_fen"),
    (lambda p: p.update(price_fen="12.5"), "price_fen"),
    (lambda p: p.update(price_fen=10**15), "price_fen"),
    (lambda p: p.update(condition="remanufactured"), "reman_entry_id"),
    (lambda p: p.pop("title"), "title"),
])
def test_vehicle_bad_input_names_the_field(client, consumer, mutate, field):
    p = car_payload()
    mutate(p)
    r = _create(client, consumer, p)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
    assert field in r.json["errors"], r.json


def test_imei_with_wrong_luhn_digit_is_refused(client, consumer):
    p = phone_payload()
    good = p["attributes"]["imei"]
    p["attributes"]["imei"] = good[:-1] + str((int(good[-1]) + 1) % 10)
    r = _create(client, consumer, p)
    assert r.status_code == 422 and "Luhn" in r.json["errors"]["attributes.imei"][0]


def test_appliance_water_grade_only_where_it_applies(client, consumer):
    p = fridge_payload()
    p["attributes"]["water_grade"] = 2
    r = _create(client, consumer, p)
    assert r.status_code == 422 and "attributes.water_grade" in r.json["errors"]


def test_malformed_json_wrong_type_and_content_type(client, consumer):
    r = client.post("/api/v1/listings", data="{not json", headers={**consumer.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    r = client.post("/api/v1/listings", data="title=x", headers={**consumer.headers, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.mimetype == "application/problem+json"
    r = client.post("/api/v1/listings", json=["a", "list"], headers=consumer.headers)
    assert r.status_code == 422
    r = client.post("/api/v1/listings", json={**phone_payload(), "negotiable": "perhaps"}, headers=consumer.headers)
    assert r.status_code == 422 and "negotiable" in r.json["errors"]


def test_lifecycle_and_forbidden_transition_names_allowed(client, consumer, operator):
    lid = _create(client, consumer, fridge_payload()).json["id"]
    r = _act(client, consumer, lid, "approve")
    assert r.status_code == 403
    r = _act(client, operator, lid, "approve")
    assert r.status_code == 409 and set(r.json["allowed"]) == {"pending_review", "withdrawn"}
    assert _act(client, consumer, lid, "submit").json["status"] == "pending_review"
    r = _act(client, operator, lid, "reject")
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = _act(client, operator, lid, "reject", reason="照片不清晰 blurry photos")
    assert r.json["status"] == "rejected" and r.json["reject_reason"]
    assert client.get(f"/api/v1/listings/{lid}").status_code == 404  # not public
    assert client.get(f"/api/v1/listings/{lid}", headers=consumer.headers).status_code == 200
    assert _act(client, consumer, lid, "submit").json["status"] == "pending_review"
    assert _act(client, operator, lid, "approve").json["status"] == "published"
    assert _act(client, consumer, lid, "withdraw").json["status"] == "withdrawn"
    assert _act(client, consumer, lid, "relist").json["status"] == "draft"


def test_price_changes_are_history(client, consumer, other_consumer):
    lid = _create(client, consumer, fridge_payload()).json["id"]
    for price in (140000, 130000):
        r = client.patch(f"/api/v1/listings/{lid}", json={"price_fen": price}, headers=consumer.headers)
        assert r.status_code == 200 and r.json["price_fen"] == price
    hist = client.get(f"/api/v1/listings/{lid}/price-history", headers=consumer.headers).json
    assert [(h["old_price_fen"], h["new_price_fen"]) for h in hist] == [(150000, 140000), (140000, 130000)]
    r = client.patch(f"/api/v1/listings/{lid}", json={"price_fen": 1}, headers=other_consumer.headers)
    assert r.status_code == 404  # a draft is invisible to others
    bad = client.patch(f"/api/v1/listings/{lid}", json={"attributes": {"kind": "refrigerator"}}, headers=consumer.headers)
    assert bad.status_code == 422 and "attributes.brand" in bad.json["errors"]


def test_one_active_listing_per_imei(app, session, client, consumer, other_consumer, operator):
    dev = imei()
    certify(session, app.extensions["huanxin.cert_keyring"], imei=dev, serial=None)
    a = _create(client, consumer, phone_payload(attributes={**phone_payload()["attributes"], "imei": dev})).json["id"]
    b = _create(client, other_consumer, phone_payload(attributes={**phone_payload()["attributes"], "imei": dev})).json["id"]
    assert _act(client, consumer, a, "submit").status_code == 200
    r = _act(client, other_consumer, b, "submit")
    assert r.status_code == 409 and r.json["code"] == "device_already_listed"
    assert _act(client, consumer, a, "withdraw").status_code == 200
    assert _act(client, other_consumer, b, "submit").status_code == 200


def test_revision_increases_on_every_change(client, consumer):
    r = _create(client, consumer, fridge_payload())
    lid = r.json["id"]
    r2 = client.patch(f"/api/v1/listings/{lid}", json={"title": "海尔冰箱 降价"}, headers=consumer.headers)
    assert r2.json["revision"] == 2
    assert _act(client, consumer, lid, "submit").json["revision"] == 3


def _png(exif_gps=False) -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    buf = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"
        exif[0x8825] = {1: "N", 2: (37.0, 31.0, 0.0), 3: "E", 4: (111.0, 8.0, 0.0)}
        img.save(buf, format="JPEG", exif=exif)
    else:
        img.save(buf, format="PNG")
    return buf.getvalue()


def test_photo_upload_strips_exif_and_checks_bytes(client, consumer, other_consumer):
    lid = _create(client, consumer, fridge_payload()).json["id"]
    jpeg = _png(exif_gps=True)
    assert Image.open(io.BytesIO(jpeg)).getexif()
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(jpeg), "a.jpg")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    got = client.get(r.json["url"], headers=consumer.headers)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(got.data)).getexif()
    # an executable renamed to .png is refused by its bytes
    elf = b"\x7fELF\x02\x01\x01" + b"\0" * 200
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(elf), "cat.png", "image/png")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.json["errors"]
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(gif.getvalue()), "x.png")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 422
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(_png()), "b.png")},
                    headers=other_consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 404
    listing = client.get(f"/api/v1/listings/{lid}", headers=consumer.headers).json
    assert len(listing["photos"]) == 1


def test_oversized_upload_is_413(client, app, consumer):
    lid = _create(client, consumer, fridge_payload()).json["id"]
    big = b"\xff\xd8\xff" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(big), "big.jpg")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 413 and r.mimetype == "application/problem+json"


def test_browse_cursor_pages_without_overlap(client, session, consumer, operator):
    from services.listings.seed import listing_rows
    import random
    from sqlalchemy import insert
    from services.listings.models import Listing
    from datetime import date
    rows = listing_rows(random.Random(1), 45, [consumer.user], date(2026, 1, 1), ["141100"],
                        hasher=identifiers.hasher(session), now=clock.now(session))
    session.execute(insert(Listing), rows)
    session.commit()
    seen, cursor = [], None
    while True:
        q = "/api/v1/listings?limit=20" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(q).json
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 45
    assert client.get("/api/v1/listings?cursor=%%%bad").status_code == 422
    assert client.get("/api/v1/listings?limit=101").status_code == 422
    assert client.get("/api/v1/listings?status=draft").status_code == 403
    assert client.get("/api/v1/listings?status=draft", headers=operator.headers).status_code == 200


def test_retailer_listing_belongs_to_its_organisation(client, session, retailer):
    from services.accounts.models import Role
    from tests.factories.accounts import add_staff, make_user
    staff = make_user(session, Role.RETAILER)
    add_staff(session, retailer, staff)
    r = _create(client, retailer, fridge_payload())
    assert r.json["org_id"] == str(retailer.org_id) and r.json["seller_type"] == "retailer"
    # a colleague may manage it
    assert client.patch(f"/api/v1/listings/{r.json['id']}", json={"price_fen": 99900},
                        headers=staff.headers).status_code == 200


def test_browse_filters_combine_and_page_with_a_cursor(client, session, consumer, operator):
    """The public browse serves every combination of category, seller and status filters, each
    with and without a cursor, from statements built once (services.pagination.Prepared)."""
    import random
    from datetime import date
    from sqlalchemy import insert, select
    from services.listings.seed import listing_rows
    from services.listings.models import Category, Listing, Status
    from tests.factories.accounts import make_user
    from services.accounts.models import Role
    other = make_user(session, Role.CONSUMER)
    rows = listing_rows(random.Random(7), 60, [consumer.user, other.user], date(2026, 1, 1), ["141100"],
                        hasher=identifiers.hasher(session), now=clock.now(session))
    rows[0]["status"] = rows[1]["status"] = Status.PENDING_REVIEW
    session.execute(insert(Listing), rows)
    session.commit()

    def browse(query: str, headers=None) -> list[str]:
        seen, cursor = [], None
        while True:
            r = client.get(f"/api/v1/listings?limit=7&{query}" + (f"&cursor={cursor}" if cursor else ""),
                           headers=headers)
            assert r.status_code == 200, r.json
            seen += [i["id"] for i in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                return seen

    def truth(*where) -> list[str]:
        stmt = select(Listing.id).where(*where).order_by(Listing.created_at.desc(), Listing.id.desc())
        return [str(i) for i in session.scalars(stmt)]

    published = Listing.status == Status.PUBLISHED
    category = Category(rows[2]["category"])
    assert browse("") == truth(published)
    assert browse(f"category={category.value}") == truth(published, Listing.category == category)
    assert browse(f"seller_id={other.user.id}") == truth(published, Listing.seller_id == other.user.id)
    assert browse(f"category={category.value}&seller_id={consumer.user.id}") == truth(
        published, Listing.category == category, Listing.seller_id == consumer.user.id)
    # the review queue is the operators'
    assert client.get("/api/v1/listings?status=pending_review", headers=consumer.headers).status_code == 403
    queue = browse("status=pending_review", operator.headers)
    assert queue == truth(Listing.status == Status.PENDING_REVIEW) and len(queue) == 2


def test_a_photo_whose_file_is_lost_is_a_404_not_a_500(client, app, consumer):
    """A row whose file the store lost (a restore without the files, rows seeded without files)
    answers 404 problem+json naming the cause; the other photos still serve."""
    lid = _create(client, consumer, fridge_payload()).json["id"]
    urls = []
    for name in ("a.png", "b.png"):
        r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(_png()), name)},
                        headers=consumer.headers, content_type="multipart/form-data")
        assert r.status_code == 201, r.json
        urls.append(r.json["url"])
    root = Path(app.config["STORAGE_DIR"])
    before = {p for p in root.rglob("*") if p.is_file()}
    assert len(before) >= 2
    lost = sorted(before, key=lambda p: p.stat().st_mtime_ns)[-2]  # the first of the two uploads
    lost.unlink()
    r = client.get(urls[0], headers=consumer.headers)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert r.json["code"] == "file_missing"
    assert client.get(urls[1], headers=consumer.headers).status_code == 200
