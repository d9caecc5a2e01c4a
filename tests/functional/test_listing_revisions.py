"""A published listing stays what was approved (issue 13, item 4), through the HTTP API: material
changes wait in a pending revision while the approved version stays on sale; price cuts apply at
once; operators approve or reject; off-platform contact details are refused."""
import io

import pytest
from PIL import Image

from tests.factories.certificates import certify
from tests.factories.listings import fridge_payload, imei, phone_payload


def _patch(client, actor, lid, body):
    return client.patch(f"/api/v1/listings/{lid}", json=body, headers=actor.headers)


def _decide(client, actor, rid, action, **kw):
    return client.post(f"/api/v1/listing-revisions/{rid}/transitions", json={"action": action, **kw},
                       headers=actor.headers)


def _revision_id(response) -> str:
    assert response.status_code == 202, response.json
    return response.headers["Location"].rsplit("/", 1)[1]


def _search(client, **q):
    r = client.get("/api/v1/search", query_string=q)
    assert r.status_code == 200, r.json
    return {i["id"]: i for i in r.json["items"]}


def _png(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buf, format="PNG")
    return buf.getvalue()


def _upload(client, actor, lid, color=(200, 30, 30)):
    return client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(_png(color)), "p.png")},
                       headers=actor.headers, content_type="multipart/form-data")


def _publish(client, seller, operator, payload) -> str:
    lid = client.post("/api/v1/listings", json=payload, headers=seller.headers).json["id"]
    for action, who in (("submit", seller), ("approve", operator)):
        r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action}, headers=who.headers)
        assert r.status_code == 200, r.json
    return lid


@pytest.fixture
def on_sale(app, session, client, consumer, operator):
    """A certified phone on sale: (its JSON as approved, the payload it was created from)."""
    payload = phone_payload()
    certify(session, app.extensions["huanxin.cert_keyring"], imei=payload["attributes"]["imei"],
            serial=payload["attributes"]["serial_number"])
    lid = _publish(client, consumer, operator, payload)
    return client.get(f"/api/v1/listings/{lid}").json, payload


@pytest.mark.parametrize("change,field", [
    ({"title": "苹果 iPhone 13 Pro 256G 全新未拆"}, "title"),
    ({"description": "屏幕完美，送原装充电器"}, "description"),
    ({"condition": "new"}, "condition"),
    ({"region_code": "140100"}, "region_code"),
    ({"price_fen": 400000}, "price_fen"),                      # +43%: above the 10% threshold
    (lambda p: {"attributes": {**p["attributes"], "model": "iPhone 13 Pro", "storage_gb": 256}}, "model"),
])
def test_a_material_change_waits_for_review_and_the_approved_version_stays_on_sale(
        client, consumer, on_sale, change, field):
    before, payload = on_sale
    lid = before["id"]
    change = change(payload) if callable(change) else change
    r = _patch(client, consumer, lid, change)
    rid = _revision_id(r)
    assert r.json["status"] == "published"
    public = client.get(f"/api/v1/listings/{lid}").json
    assert public["status"] == "published"
    for key in ("title", "description", "condition", "region_code", "price_fen", "attributes"):
        assert public[key] == before[key], key
    assert _search(client).get(lid, {}).get("title") == before["title"]
    revs = client.get(f"/api/v1/listings/{lid}/revisions", headers=consumer.headers).json
    assert [(x["id"], x["status"]) for x in revs] == [(rid, "pending")]
    expected = change[field] if field in change else change["attributes"][field]
    assert revs[0]["changes"][field] == expected
    assert revs[0]["current"][field] == (before[field] if field != "model" else "iPhone 13")


def test_a_new_identifier_waits_for_review_masked_and_approval_reruns_the_wipe_gate(
        app, session, client, consumer, operator, published_listing):
    lid = published_listing["id"]
    new_imei = imei()
    attrs = {"kind": "mobile_phone", "brand": "Apple", "model": "iPhone 13", "imei": new_imei}
    # The new device has no wipe certificate: refused at once, nothing waits for review.
    r = _patch(client, consumer, lid, {"attributes": attrs})
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required", r.json
    ring = app.extensions["huanxin.cert_keyring"]
    cert = certify(session, ring, imei=new_imei, serial=None)
    rid = _revision_id(_patch(client, consumer, lid, {"attributes": attrs}))
    assert client.get(f"/api/v1/listings/{lid}").json["device_masked"] == published_listing["device_masked"]
    rev = client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers)
    assert rev.json["changes"]["device_masked"] == "****" + new_imei[-4:]
    assert new_imei not in rev.get_data(as_text=True) and "device_hash" not in rev.json["changes"]
    # Revoked while the revision waits: the operator cannot put the new device on sale.
    assert client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "QC failed"},
                       headers=operator.headers).status_code == 200
    r = _decide(client, operator, rid, "approve")
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required", r.json
    assert client.get(f"/api/v1/listing-revisions/{rid}", headers=operator.headers).json["status"] == "pending"
    certify(session, ring, imei=new_imei, serial=None)
    assert _decide(client, operator, rid, "approve").status_code == 200
    assert client.get(f"/api/v1/listings/{lid}").json["device_masked"] == "****" + new_imei[-4:]


@pytest.mark.smoke
def test_a_price_cut_applies_at_once_with_history_and_search(client, consumer, published_listing):
    lid = published_listing["id"]
    assert lid in _search(client, price_max=280000)
    assert lid not in _search(client, price_max=99)
    r = _patch(client, consumer, lid, {"price_fen": 99, "negotiable": False})
    assert r.status_code == 200 and "Location" not in r.headers, r.json
    public = client.get(f"/api/v1/listings/{lid}").json
    assert (public["price_fen"], public["negotiable"], public["status"]) == (99, False, "published")
    hist = client.get(f"/api/v1/listings/{lid}/price-history").json
    assert [(h["old_price_fen"], h["new_price_fen"]) for h in hist] == [(280000, 99)]
    assert _search(client, price_max=99)[lid]["price_fen"] == 99
    assert client.get(f"/api/v1/listings/{lid}/revisions", headers=consumer.headers).json == []


def test_small_rises_apply_but_never_add_up_past_the_threshold_over_the_approved_price(
        client, consumer, operator, published_listing):
    lid = published_listing["id"]  # approved at 280000; threshold 10% -> 308000
    assert _patch(client, consumer, lid, {"price_fen": 300000}).status_code == 200
    assert _patch(client, consumer, lid, {"price_fen": 308000}).status_code == 200
    r = _patch(client, consumer, lid, {"price_fen": 308001})   # 0.0003% over the current price
    rid = _revision_id(r)
    assert client.get(f"/api/v1/listings/{lid}").json["price_fen"] == 308000
    assert _decide(client, operator, rid, "approve").status_code == 200
    assert client.get(f"/api/v1/listings/{lid}").json["price_fen"] == 308001
    hist = client.get(f"/api/v1/listings/{lid}/price-history").json
    assert [h["new_price_fen"] for h in hist] == [300000, 308000, 308001]
    # The approved price is now 308001: a rise to 338801 (+10%) applies at once.
    assert _patch(client, consumer, lid, {"price_fen": 338801}).status_code == 200


def test_a_listing_on_sale_without_an_approved_price_takes_the_price_on_sale(client, session, consumer,
                                                                             published_listing):
    import uuid
    from sqlalchemy import update
    from services.listings.models import Listing
    lid = published_listing["id"]  # as the demo seed or an older release left it
    session.execute(update(Listing).where(Listing.id == uuid.UUID(lid)).values(approved_price_fen=None))
    session.commit()
    assert _patch(client, consumer, lid, {"price_fen": 300000}).status_code == 200
    assert _patch(client, consumer, lid, {"price_fen": 310000}).status_code == 202  # +10.7% over 280000


def test_the_threshold_is_a_setting(app, client, consumer, published_listing):
    app.config["LISTING_PRICE_RISE_REVIEW_PCT"] = 0
    try:
        assert _patch(client, consumer, published_listing["id"], {"price_fen": 280001}).status_code == 202
    finally:
        app.config["LISTING_PRICE_RISE_REVIEW_PCT"] = 10


@pytest.mark.smoke
def test_operator_approves_from_the_queue_and_search_follows(client, consumer, operator, published_listing):
    lid = published_listing["id"]
    new_title = "苹果 iPhone 13 午夜色 128G"
    rid = _revision_id(_patch(client, consumer, lid, {"title": new_title, "price_fen": 250000}))
    # The price cut in the same edit applied at once; the title waits.
    assert client.get(f"/api/v1/listings/{lid}").json["price_fen"] == 250000
    assert client.get("/api/v1/listing-revisions", headers=consumer.headers).status_code == 403
    queue = client.get("/api/v1/listing-revisions", headers=operator.headers).json
    assert [i["id"] for i in queue["items"]] == [rid]
    assert queue["items"][0]["changes"] == {"title": new_title}
    assert queue["items"][0]["current"] == {"title": published_listing["title"]}
    assert _decide(client, consumer, rid, "approve").status_code == 403
    r = _decide(client, operator, rid, "approve", reason="看过了")
    assert r.status_code == 200 and r.json["status"] == "approved" and r.json["decided_by"] == str(operator.id)
    listing = client.get(f"/api/v1/listings/{lid}").json
    assert (listing["title"], listing["status"], listing["price_fen"]) == (new_title, "published", 250000)
    assert listing["revision"] > published_listing["revision"]
    assert _search(client, q="午夜色")[lid]["title"] == new_title
    assert client.get("/api/v1/listing-revisions", headers=operator.headers).json["items"] == []
    r = _decide(client, operator, rid, "reject", reason="too late")
    assert r.status_code == 409 and r.json["current"] == "approved"
    audit = client.get("/api/v1/audit-log", query_string={"target_id": lid}, headers=operator.headers).json
    entry = next(e for e in audit["items"] if e["action"] == "listing_revision.approve")
    assert entry["before"]["title"] == published_listing["title"] and entry["after"]["title"] == new_title


def test_operator_rejects_with_a_reason_and_nothing_changes(client, consumer, operator, published_listing):
    lid = published_listing["id"]
    rid = _revision_id(_patch(client, consumer, lid, {"description": "九成新，屏幕有划痕"}))
    photo = _upload(client, consumer, lid)
    assert photo.status_code == 202 and photo.headers["Location"].endswith(rid)
    r = _decide(client, operator, rid, "reject")
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = _decide(client, operator, rid, "reject", reason="描述与照片不符")
    assert r.status_code == 200 and r.json["status"] == "rejected"
    assert r.json["photos_added"] == []  # the proposed photo is deleted with the revision
    assert client.get(photo.json["url"], headers=consumer.headers).status_code == 404
    listing = client.get(f"/api/v1/listings/{lid}").json
    assert listing["description"] == published_listing["description"] and listing["photos"] == []
    revs = client.get(f"/api/v1/listings/{lid}/revisions", headers=consumer.headers).json
    assert revs[0]["status"] == "rejected" and revs[0]["reason"] == "描述与照片不符"
    audit = client.get("/api/v1/audit-log", query_string={"target_id": lid}, headers=operator.headers).json
    assert any(e["action"] == "listing_revision.reject" and e["reason"] == "描述与照片不符" for e in audit["items"])
    # The seller may propose again: a new revision, not the rejected one.
    assert _revision_id(_patch(client, consumer, lid, {"description": "屏幕有划痕，见照片"})) != rid


@pytest.mark.smoke
def test_photos_added_and_removed_wait_for_review(client, consumer, operator):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    first = _upload(client, consumer, lid)
    assert first.status_code == 201  # a draft: on show at once
    for action, who in (("submit", consumer), ("approve", operator)):
        client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action}, headers=who.headers)
    added = _upload(client, consumer, lid, color=(0, 90, 200))
    rid = _revision_id(added)
    assert client.get(added.json["url"]).status_code == 404          # not on show to the public
    assert client.get(added.json["url"], headers=consumer.headers).status_code == 200
    assert client.get(added.json["url"], headers=operator.headers).status_code == 200
    gone = client.delete(first.json["url"], headers=consumer.headers)
    assert gone.status_code == 202 and gone.headers["Location"].endswith(rid)
    public = client.get(f"/api/v1/listings/{lid}").json
    assert [p["id"] for p in public["photos"]] == [first.json["id"]]
    assert client.get("/api/v1/listings").json["items"][0]["thumbnail_url"] == first.json["url"]
    rev = client.get(f"/api/v1/listing-revisions/{rid}", headers=operator.headers).json
    assert [p["id"] for p in rev["photos_added"]] == [added.json["id"]]
    assert rev["photos_removed"] == [first.json["id"]]
    assert _decide(client, operator, rid, "approve").status_code == 200
    public = client.get(f"/api/v1/listings/{lid}").json
    assert [p["id"] for p in public["photos"]] == [added.json["id"]]
    assert client.get(first.json["url"], headers=consumer.headers).status_code == 404
    assert client.get(added.json["url"]).status_code == 200


def test_later_edits_amend_the_one_pending_revision(client, consumer, published_listing):
    lid = published_listing["id"]
    rid = _revision_id(_patch(client, consumer, lid, {"title": "苹果 iPhone 13 蓝色"}))
    assert _revision_id(_patch(client, consumer, lid, {"description": "电池 88%"})) == rid
    rev = client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers).json
    assert rev["changes"] == {"title": "苹果 iPhone 13 蓝色", "description": "电池 88%"}
    # Setting a field back to what is on sale takes it out of the revision ...
    r = _patch(client, consumer, lid, {"title": published_listing["title"]})
    assert r.status_code == 202
    assert client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers).json["changes"] == {
        "description": "电池 88%"}
    # ... and a revision left with nothing to review is withdrawn.
    r = _patch(client, consumer, lid, {"description": published_listing["description"]})
    assert r.status_code == 200
    assert client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers).json["status"] == "withdrawn"


def test_the_seller_withdraws_a_revision_and_withdrawing_the_listing_drops_it(
        client, consumer, other_consumer, operator, published_listing):
    lid = published_listing["id"]
    rid = _revision_id(_patch(client, consumer, lid, {"title": "苹果 iPhone 13 急售"}))
    assert client.get(f"/api/v1/listing-revisions/{rid}", headers=other_consumer.headers).status_code == 404
    assert client.get(f"/api/v1/listings/{lid}/revisions", headers=other_consumer.headers).status_code == 403
    assert _decide(client, other_consumer, rid, "withdraw").status_code == 404
    assert _decide(client, consumer, rid, "withdraw").json["status"] == "withdrawn"
    rid = _revision_id(_patch(client, consumer, lid, {"title": "苹果 iPhone 13 再降价"}))
    assert client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "withdraw"},
                       headers=consumer.headers).status_code == 200
    rev = client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers).json
    assert (rev["status"], rev["reason"]) == ("withdrawn", "listing withdrawn")
    assert _decide(client, operator, rid, "approve").status_code == 409


def test_drafts_and_rejected_listings_stay_freely_editable(client, consumer, operator):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    r = _patch(client, consumer, lid, {"title": "海尔冰箱 改名", "price_fen": 900000})
    assert r.status_code == 200 and r.json["title"] == "海尔冰箱 改名" and r.json["price_fen"] == 900000
    client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"}, headers=consumer.headers)
    client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "reject", "reason": "价格过高"},
                headers=operator.headers)
    r = _patch(client, consumer, lid, {"price_fen": 990000, "description": "全新"})
    assert r.status_code == 200 and r.json["price_fen"] == 990000 and r.json["description"] == "全新"
    assert client.get(f"/api/v1/listings/{lid}/revisions", headers=consumer.headers).json == []


@pytest.mark.parametrize("field,text,reason", [
    ("description", "有意加微信 abc_123456", "WeChat"),
    ("description", "电话 138 1234 5678", "phone"),
    ("title", "iPhone 13 VX: seller_2026", "WeChat"),
    ("description", "QQ：12345678 联系", "QQ"),
    ("description", "more photos at https://example.com/p/1", "link"),
    ("description", "mail seller@163.com", "email"),
    ("title", "冰箱 电话１３８１２３４５６７８", "phone"),
])
def test_contact_details_are_refused_on_create_naming_field_and_reason(client, consumer, field, text, reason):
    r = client.post("/api/v1/listings", json=fridge_payload(**{field: text}), headers=consumer.headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
    assert list(r.json["errors"]) == [field] and reason in r.json["errors"][field][0]


def test_contact_details_are_refused_on_edit_and_revision(client, consumer, published_listing):
    draft = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    r = _patch(client, consumer, draft, {"title": "冰箱 微信 fridge_seller1"})
    assert r.status_code == 422 and "WeChat" in r.json["errors"]["title"][0]
    lid = published_listing["id"]
    r = _patch(client, consumer, lid, {"description": "急售 加V信 13812345678", "price_fen": 100})
    assert r.status_code == 422 and list(r.json["errors"]) == ["description"]
    assert client.get(f"/api/v1/listings/{lid}").json["price_fen"] == 280000  # nothing applied
    assert client.get(f"/api/v1/listings/{lid}/revisions", headers=consumer.headers).json == []


def test_ordinary_specifications_are_not_mistaken_for_contact_details(client, consumer):
    p = phone_payload(title="华为 Mate 60 Pro 12GB+512GB 2023款",
                      description="2023-09-01 购买，价格 5999 元，型号 ALN-AL00，IMEI 见附件，电池 95%，128G 升级 1TB")
    r = client.post("/api/v1/listings", json=p, headers=consumer.headers)
    assert r.status_code == 201, r.json


def test_operators_cannot_edit_and_strangers_cannot_see_revisions(client, operator, other_consumer,
                                                                  consumer, published_listing):
    lid = published_listing["id"]
    assert _patch(client, operator, lid, {"title": "运营修改"}).status_code == 403
    assert _patch(client, other_consumer, lid, {"title": "他人修改"}).status_code == 403
    assert client.get(f"/api/v1/listings/{lid}/revisions", headers=operator.headers).json == []
    assert client.get("/api/v1/listing-revisions", query_string={"status": "bogus"},
                      headers=operator.headers).status_code == 422


def test_a_reserved_listing_waits_and_a_sold_one_drops_its_revision(client, session, consumer, operator,
                                                                     published_listing):
    import uuid
    from services.listings import service
    lid = published_listing["id"]
    rid = _revision_id(_patch(client, consumer, lid, {"title": "苹果 iPhone 13 已预订"}))
    service.reserve(session, uuid.UUID(lid))  # as an order does
    session.commit()
    r = _decide(client, operator, rid, "approve")
    assert r.status_code == 409 and r.json["code"] == "listing_not_published"  # the buyer keeps what they saw
    service.mark_sold(session, uuid.UUID(lid))
    session.commit()
    rev = client.get(f"/api/v1/listing-revisions/{rid}", headers=consumer.headers).json
    assert (rev["status"], rev["reason"]) == ("withdrawn", "listing sold")
    assert client.get(f"/api/v1/listings/{lid}").json["title"] == published_listing["title"]
