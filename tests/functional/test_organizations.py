"""Vetted organisations (issue 13, item 3): an operator verifies an organisation's credit code
before it certifies, collects, sells with subsidies or claims; nobody joins an organisation
without accepting; staff do not run the organisation; listings join an organisation only by name."""
from __future__ import annotations

from sqlalchemy import delete, select

from services.accounts.models import Membership, MemberRole, Role
from tests.factories.accounts import add_staff, make_user, uscc
from tests.factories.certificates import IMEI_1, intake, recycler_team, wipe_report
from tests.factories.listings import fridge_payload
from tests.factories.pickups import booking_payload, collector, facility, next_slot, put_offer
from tests.factories.subsidies import ac_quote, open_pool, record_sale, sale_payload

ORGS = "/api/v1/organizations"
REAL_USCC = "91330100716105852F"        # a real, published code (Alibaba (China) Co., Ltd.)


def _not_verified(r, code="organisation_not_verified"):
    assert r.status_code == 403, r.json
    assert r.mimetype == "application/problem+json" and r.json["code"] == code, r.json


def _withdraw(client, operator, org_id):
    r = client.post(f"{ORGS}/{org_id}/verification-review", json={"decision": "rejected",
                                                                  "reason": "licence lapsed"},
                    headers=operator.headers)
    assert r.status_code == 200 and r.json["verification_status"] == "rejected", r.json


# --- vetting ------------------------------------------------------------------------------------

def test_an_operator_vets_the_credit_code_and_the_decision_is_audited(client, session, operator):
    owner = make_user(session, Role.RECYCLER, verified_org=False)
    staff = make_user(session, Role.RECYCLER)
    add_staff(session, owner, staff)
    org = owner.org_id
    assert client.get(f"{ORGS}/{org}", headers=owner.headers).json["verification_status"] == "unverified"

    r = client.post(f"{ORGS}/{org}/verification", json={"uscc": "91330100716105852A"}, headers=owner.headers)
    assert r.status_code == 422 and set(r.json["errors"]) == {"uscc", "recycling_reg_no"}
    r = client.post(f"{ORGS}/{org}/verification", json={"uscc": REAL_USCC, "recycling_reg_no": "浙回收备-0101"},
                    headers=staff.headers)
    _not_verified(r, "owner_required")
    r = client.post(f"{ORGS}/{org}/verification", json={"uscc": REAL_USCC.lower(), "recycling_reg_no": "浙回收备-0101"},
                    headers=owner.headers)
    assert r.status_code == 200 and r.json["verification_status"] == "pending" and r.json["uscc"] == REAL_USCC

    queue = client.get(f"{ORGS}/verification-reviews", headers=operator.headers).json["items"]
    assert [o["id"] for o in queue] == [str(org)]
    assert client.get(f"{ORGS}/verification-reviews", headers=owner.headers).status_code == 403
    assert client.post(f"{ORGS}/{org}/verification-review", json={"decision": "verified"},
                       headers=owner.headers).status_code == 403
    no_reason = client.post(f"{ORGS}/{org}/verification-review", json={"decision": "rejected"},
                            headers=operator.headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    r = client.post(f"{ORGS}/{org}/verification-review", json={"decision": "rejected", "reason": "备案号不符"},
                    headers=operator.headers)
    assert r.json["verification_status"] == "rejected" and r.json["verification_reason"] == "备案号不符"
    client.post(f"{ORGS}/{org}/verification", json={"uscc": REAL_USCC, "recycling_reg_no": "浙回收备-0102"},
                headers=owner.headers)
    r = client.post(f"{ORGS}/{org}/verification-review", json={"decision": "verified"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["verification_status"] == "verified" and r.json["verified_at"]
    again = client.post(f"{ORGS}/{org}/verification-review", json={"decision": "verified"}, headers=operator.headers)
    assert again.status_code == 409 and again.json["allowed"] == ["rejected"]

    trail = client.get("/api/v1/audit-log", query_string={"target_type": "organization", "target_id": str(org)},
                       headers=operator.headers).json["items"]
    decisions = [(e["action"], e["actor_id"], e["reason"]) for e in trail if e["actor_id"] == str(operator.id)]
    assert decisions == [("organization.verified", str(operator.id), None),
                         ("organization.rejected", str(operator.id), "备案号不符")]

    # The same code cannot be verified for a second recycler.
    copycat = make_user(session, Role.RECYCLER, verified_org=False)
    client.post(f"{ORGS}/{copycat.org_id}/verification", json={"uscc": REAL_USCC, "recycling_reg_no": "X-0001"},
                headers=copycat.headers)
    r = client.post(f"{ORGS}/{copycat.org_id}/verification-review", json={"decision": "verified"},
                    headers=operator.headers)
    assert r.status_code == 409 and r.json["code"] == "uscc_in_use"


def test_a_retailer_needs_no_recycling_number(client, session):
    shop = make_user(session, Role.RETAILER, verified_org=False)
    r = client.post(f"{ORGS}/{shop.org_id}/verification", json={"uscc": uscc(4242)}, headers=shop.headers)
    assert r.status_code == 200 and r.json["verification_status"] == "pending"
    assert r.json["recycling_reg_no"] is None


# --- what an unverified recycler may not do ---------------------------------------------------

def test_an_unverified_recycler_does_not_certify_wipes(client, session):
    tech = make_user(session, Role.RECYCLER, verified_org=False)
    validator = make_user(session, Role.RECYCLER)
    add_staff(session, tech, validator)
    intake(session, tech, imei=IMEI_1)
    r = client.post("/api/v1/certificates/requests", json=wipe_report(validator.id, as_json=True),
                    headers=tech.headers)
    _not_verified(r)


def test_a_retailer_does_not_certify_wipes(client, session, retailer):
    colleague = make_user(session, Role.RETAILER)
    add_staff(session, retailer, colleague)
    intake(session, retailer, imei=IMEI_1)
    r = client.post("/api/v1/certificates/requests", json=wipe_report(colleague.id, as_json=True),
                    headers=retailer.headers)
    _not_verified(r, "organisation_kind_not_allowed")


def test_a_withdrawn_verification_stops_the_approval_of_a_submitted_wipe(client, session, operator):
    tech, validator, _ = recycler_team(session)
    intake(session, tech, imei=IMEI_1)
    req = client.post("/api/v1/certificates/requests", json=wipe_report(validator.id, as_json=True),
                      headers=tech.headers)
    assert req.status_code == 201, req.json
    _withdraw(client, operator, tech.org_id)
    _not_verified(client.post(f"/api/v1/certificates/requests/{req.json['id']}/approve", headers=validator.headers))


def test_an_unverified_recycler_publishes_no_pickup_offer(client, session):
    rec = make_user(session, Role.RECYCLER, verified_org=False)
    from tests.factories.pickups import offer_payload
    _not_verified(client.put(f"/api/v1/pickups/recyclers/{rec.org_id}", json=offer_payload(), headers=rec.headers))


def test_an_unverified_recycler_takes_no_pickups_and_issues_no_vouchers(client, session, consumer, recycler,
                                                                        operator):
    offer = put_offer(client, recycler)
    point = facility(client, recycler)
    collector(client, recycler)
    booked = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=offer["id"]),
                         headers=consumer.headers).json
    pid = booked["id"]
    client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers)
    for step in ("en_route", "arrived"):
        assert client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": step},
                           headers=recycler.headers).status_code == 200
    pooled = client.post("/api/v1/pickups", json=booking_payload(next_slot(days=3), dispatch="pool"),
                         headers=consumer.headers).json["id"]

    _withdraw(client, operator, recycler.org_id)
    item = booked["items"][0]["id"]
    _not_verified(client.post(f"/api/v1/pickups/{pid}/collect", headers=recycler.headers,
                              json={"facility_id": point["id"], "items": [{"item_id": item, "weight_g": 50_000}]}))
    _not_verified(client.post(f"/api/v1/pickups/{pooled}/claim", headers=recycler.headers))
    # Nor is it offered to consumers any more.
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(days=4), recycler_id=offer["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "outside_service_area"


# --- what an unverified retailer may not do ---------------------------------------------------

def test_an_unverified_retailer_runs_no_campaign_and_records_no_till_sale(client, session):
    shop = make_user(session, Role.RETAILER, verified_org=False)
    campaign = {"name": "空调以旧换新季", "starts_on": "2025-05-01", "ends_on": "2025-08-31", "regions": ["140000"],
                "kinds": ["air_conditioner"], "bonuses": {"air_conditioner": 30000}, "requires_handed_in": True,
                "stacking": "discount", "budget_fen": 60000}
    _not_verified(client.post("/api/v1/campaigns", json=campaign, headers=shop.headers))
    _not_verified(client.post("/api/v1/subsidies/sales", json=sale_payload(ac_quote()), headers=shop.headers))
    period = {"programme": "CN-2025-appliance", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    _not_verified(client.post("/api/v1/claims", json=period, headers=shop.headers))
    tradein_campaign = {"category": "electronics", "kind": "mobile_phone", "brand": "Apple", "model": "iPhone 13",
                        "base_price_fen": None, "campaign_bonus_fen": 30000, "campaign_name": "焕新"}
    _not_verified(client.post("/api/v1/tradeins/prices", json=tradein_campaign, headers=shop.headers))


def test_a_withdrawn_retailer_reserves_no_subsidy_and_files_no_claim(client, session, retailer, operator):
    open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)
    sale = record_sale(client, retailer, quote=ac_quote())
    r = client.post("/api/v1/subsidies/reservations", json={"sale_id": sale["id"]}, headers=retailer.headers)
    assert r.status_code == 201, r.json
    client.post(f"/api/v1/subsidies/reservations/{r.json['id']}/redeem", headers=retailer.headers)
    claim = client.post("/api/v1/claims", json={"programme": "CN-2025-appliance", "period_start": "2025-01-01",
                                                "period_end": "2025-12-31"}, headers=retailer.headers)
    assert claim.status_code == 201, claim.json
    other_sale = record_sale(client, retailer, quote=ac_quote())

    _withdraw(client, operator, retailer.org_id)
    _not_verified(client.post("/api/v1/subsidies/reservations", json={"sale_id": other_sale["id"]},
                              headers=retailer.headers))
    _not_verified(client.post(f"/api/v1/claims/{claim.json['id']}/transitions", json={"action": "submit"},
                              headers=retailer.headers))
    _not_verified(client.get(f"/api/v1/claims/{claim.json['id']}/export", headers=retailer.headers))
    assert client.get(f"/api/v1/claims/{claim.json['id']}/export", headers=operator.headers).status_code == 200


# --- membership is consent ----------------------------------------------------------------------

def test_nobody_is_added_to_an_organisation_without_accepting(client, session):
    attacker = make_user(session, Role.RETAILER)
    victim = make_user(session, Role.RETAILER)
    r = client.post(f"{ORGS}/{attacker.org_id}/invitations", json={"email": victim.user.email},
                    headers=attacker.headers)
    assert r.status_code == 201 and r.json["status"] == "pending"
    invitation = r.json["id"]
    # Invited is not a member: the victim's listing stays theirs, the attacker sees nothing.
    assert client.get(f"{ORGS}/{attacker.org_id}", headers=victim.headers).status_code == 404
    listing = client.post("/api/v1/listings", json=fridge_payload(), headers=victim.headers).json
    assert listing["org_id"] == str(victim.org_id)
    assert client.patch(f"/api/v1/listings/{listing['id']}", json={"price_fen": 100},
                        headers=attacker.headers).status_code in (403, 404)
    # Only the invitee answers; an answer is final.
    assert client.post(f"{ORGS}/invitations/{invitation}/accept", headers=attacker.headers).status_code == 404
    mine = client.get(f"{ORGS}/invitations", headers=victim.headers).json
    assert [(i["id"], i["org_id"], i["role"]) for i in mine] == [(invitation, str(attacker.org_id), "staff")]
    r = client.post(f"{ORGS}/invitations/{invitation}/decline", headers=victim.headers)
    assert r.status_code == 200 and r.json["status"] == "declined"
    assert client.post(f"{ORGS}/invitations/{invitation}/accept", headers=victim.headers).status_code == 409
    members = client.get(f"{ORGS}/{attacker.org_id}", headers=attacker.headers).json["members"]
    assert [m["user_id"] for m in members] == [str(attacker.id)]
    assert client.get(f"{ORGS}/invitations", headers=victim.headers).json == []


def test_an_accepted_invitation_makes_a_member(client, session):
    owner = make_user(session, Role.RECYCLER)
    helper = make_user(session, Role.RECYCLER)
    consumer = make_user(session, Role.CONSUMER)
    org = owner.org_id
    r = client.post(f"{ORGS}/{org}/invitations", json={"email": consumer.user.email}, headers=owner.headers)
    assert r.status_code == 422 and "email" in r.json["errors"]  # a consumer cannot join a recycler
    inv = client.post(f"{ORGS}/{org}/invitations", json={"email": helper.user.email}, headers=owner.headers).json
    dup = client.post(f"{ORGS}/{org}/invitations", json={"email": helper.user.email}, headers=owner.headers)
    assert dup.status_code == 409 and dup.json["code"] == "already_invited"
    r = client.post(f"{ORGS}/invitations/{inv['id']}/accept", headers=helper.headers)
    assert r.status_code == 200 and r.json["status"] == "accepted"
    roles = {m["user_id"]: m["role"] for m in client.get(f"{ORGS}/{org}", headers=helper.headers).json["members"]}
    assert roles == {str(owner.id): "owner", str(helper.id): "staff"}
    again = client.post(f"{ORGS}/{org}/invitations", json={"email": helper.user.email}, headers=owner.headers)
    assert again.status_code == 409 and again.json["code"] == "already_member"
    # Staff do not invite, nor change the recycler's pickup offer.
    from tests.factories.pickups import offer_payload
    _not_verified(client.put(f"/api/v1/pickups/recyclers/{org}", json=offer_payload(), headers=helper.headers),
                  "owner_required")
    third = make_user(session, Role.RECYCLER)
    _not_verified(client.post(f"{ORGS}/{org}/invitations", json={"email": third.user.email},
                              headers=helper.headers), "owner_required")


def test_a_member_leaves_and_the_last_owner_stays(client, session, retailer):
    staff = make_user(session, Role.RETAILER)
    add_staff(session, retailer, staff)
    org = retailer.org_id
    assert client.post(f"{ORGS}/{org}/leave", headers=staff.headers).status_code == 204
    assert client.get(f"{ORGS}/{org}", headers=staff.headers).status_code == 404
    assert client.post(f"{ORGS}/{org}/leave", headers=staff.headers).status_code == 404
    r = client.post(f"{ORGS}/{org}/leave", headers=retailer.headers)
    assert r.status_code == 409 and r.json["code"] == "last_owner"
    # A second owner lets the first one go.
    partner = make_user(session, Role.RETAILER)
    add_staff(session, retailer, partner, role=MemberRole.OWNER)
    assert client.post(f"{ORGS}/{org}/leave", headers=retailer.headers).status_code == 204
    members = client.get(f"{ORGS}/{org}", headers=partner.headers).json["members"]
    assert [(m["user_id"], m["role"]) for m in members] == [(str(partner.id), "owner")]


def test_the_owner_removes_staff_and_staff_remove_nobody(client, session, retailer):
    staff = make_user(session, Role.RETAILER)
    other = make_user(session, Role.RETAILER)
    add_staff(session, retailer, staff)
    add_staff(session, retailer, other)
    org = retailer.org_id
    listing = client.post("/api/v1/listings", json={**fridge_payload(), "org_id": str(org)},
                          headers=retailer.headers).json
    assert client.patch(f"/api/v1/listings/{listing['id']}", json={"price_fen": 99000},
                        headers=staff.headers).status_code == 200
    _not_verified(client.delete(f"{ORGS}/{org}/members/{other.id}", headers=staff.headers), "owner_required")
    co_owner = make_user(session, Role.RETAILER)
    add_staff(session, retailer, co_owner, role=MemberRole.OWNER)
    _not_verified(client.delete(f"{ORGS}/{org}/members/{co_owner.id}", headers=retailer.headers),
                  "cannot_remove_owner")
    assert client.delete(f"{ORGS}/{org}/members/{staff.id}", headers=retailer.headers).status_code == 204
    assert client.get(f"{ORGS}/{org}", headers=staff.headers).status_code == 404
    assert client.delete(f"{ORGS}/{org}/members/{staff.id}", headers=retailer.headers).status_code == 404
    # The removed member no longer manages the organisation's listings.
    assert client.patch(f"/api/v1/listings/{listing['id']}", json={"price_fen": 98000},
                        headers=staff.headers).status_code in (403, 404)


def test_staff_change_no_settings_and_no_payout_onboarding(client, session, retailer):
    staff = make_user(session, Role.RETAILER)
    add_staff(session, retailer, staff)
    org = retailer.org_id
    _not_verified(client.patch(f"{ORGS}/{org}", json={"name": "改名"}, headers=staff.headers), "owner_required")
    r = client.patch(f"{ORGS}/{org}", json={"name": "国美 新店"}, headers=retailer.headers)
    assert r.status_code == 200 and r.json["name"] == "国美 新店"
    _not_verified(client.post(f"{ORGS}/{org}/verification", json={"uscc": uscc(77)}, headers=staff.headers),
                  "owner_required")
    # A member who only staffs an organisation (they left no shop of their own) cannot point its
    # payouts at a Stripe account.
    session.execute(delete(Membership).where(Membership.user_id == staff.id, Membership.org_id != org))
    session.commit()
    _not_verified(client.post("/api/v1/payments/seller-account", headers=staff.headers), "owner_required")


# --- listings belong to an organisation only by name ---------------------------------------------

def test_a_listing_belongs_to_an_organisation_only_when_named(client, session, retailer, consumer):
    staff = make_user(session, Role.RETAILER)
    outsider = make_user(session, Role.RETAILER)
    add_staff(session, retailer, staff)
    r = client.post("/api/v1/listings", json=fridge_payload(), headers=staff.headers)
    assert r.status_code == 422 and "org_id" in r.json["errors"]  # two organisations: say which
    r = client.post("/api/v1/listings", json={**fridge_payload(), "org_id": str(retailer.org_id)},
                    headers=staff.headers)
    assert r.status_code == 201 and r.json["org_id"] == str(retailer.org_id)
    r = client.post("/api/v1/listings", json={**fridge_payload(), "org_id": str(staff.org_id)},
                    headers=staff.headers)
    assert r.status_code == 201 and r.json["org_id"] == str(staff.org_id)
    r = client.post("/api/v1/listings", json={**fridge_payload(), "org_id": str(outsider.org_id)},
                    headers=staff.headers)
    assert r.status_code == 403 and r.json["code"] == "not_a_member"
    r = client.post("/api/v1/listings", json={**fridge_payload(), "org_id": str(retailer.org_id)},
                    headers=consumer.headers)
    assert r.status_code == 403
    r = client.post("/api/v1/listings", json=fridge_payload(), headers=outsider.headers)
    assert r.status_code == 201 and r.json["org_id"] == str(outsider.org_id)  # their own, only one
    assert session.scalar(select(Membership.role).where(Membership.user_id == outsider.id)) == MemberRole.OWNER


def test_a_trade_in_is_not_handed_to_an_unverified_collection_point(client, session, consumer, recycler):
    from tests.factories.tradeins import accept_dropoff, price, quote
    price(session)
    unvetted = make_user(session, Role.RECYCLER, verified_org=False)
    t = quote(client, consumer)
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(unvetted.org_id)},
        "payout": {"method": "store_credit"}})
    assert r.status_code == 422 and "handover.collection_point_org_id" in r.json["errors"]
    assert accept_dropoff(client, consumer, t["id"], recycler.org_id)["status"] == "accepted"
