"""A recycler's offer (service area, kinds, hours, capacity), its facilities and collectors."""
from __future__ import annotations

import uuid

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from services import audit, clock, regions
from services.accounts.interface import require_owner, require_verified
from services.accounts.models import Membership, OrgKind, Organization, Role, User
from services.errors import NotFound, ValidationFailed
from services.pickups import items as item_rules
from services.pickups.access import require_staff
from services.pickups.models import Collector, Facility, FacilityTier, Recycler, ServiceRegion, Slot
from services.pickups.schedule import parse_windows

# Items climb the network: collection point -> transfer station -> sorting centre.
TIER_RANK = {FacilityTier.COLLECTION_POINT: 1, FacilityTier.TRANSFER_STATION: 2,
             FacilityTier.SORTING_CENTRE: 3, FacilityTier.DISMANTLER: 3}


def _recycler_org(session: Session, org_id) -> Organization:
    org = session.get(Organization, org_id)
    if org is None or org.kind != OrgKind.RECYCLER:
        raise NotFound("no such recycler")
    return org


def get_offer(session: Session, org_id) -> Recycler:
    r = session.scalar(select(Recycler).where(Recycler.org_id == org_id))
    if r is None:
        raise NotFound("this recycler has no pickup offer")
    return r


def _check_offer(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    bad = [k for k in data.get("kinds", []) if k not in item_rules.CATEGORIES]
    if bad:
        errors["kinds"] = [f"Unknown kinds {bad}; one of {', '.join(item_rules.CATEGORIES)}."]
    bad = [c for c in data.get("region_codes", []) if not regions.exists(c)]
    if bad:
        errors["region_codes"] = [f"Not GB/T 2260 codes: {', '.join(bad)}."]
    if not data.get("region_codes") and not data.get("radius_km"):
        errors["region_codes"] = ["Give region codes, a radius around the depot, or both."]
    try:
        parse_windows(data.get("working_hours") or {})
    except (ValueError, TypeError) as e:
        errors["working_hours"] = [str(e)]
    if not any(data.get("working_hours", {}).values()):
        errors.setdefault("working_hours", []).append("At least one working window.")
    return errors


def upsert_offer(session: Session, actor: User, org_id, data: dict) -> Recycler:
    """Create or replace the organisation's offer (its owner, once the recycler is verified:
    403 `owner_required` / `organisation_not_verified` otherwise). Future slots take the new capacity at once
    (never below what is already booked); a changed licence number needs a new authorisation."""
    _recycler_org(session, org_id)
    require_staff(actor, org_id)
    if not actor.is_operator:  # the offer is the organisation's setting: owners publish it
        require_owner(actor, org_id)
    require_verified(session, org_id, OrgKind.RECYCLER, "publish a pickup offer")
    errors = _check_offer(data)
    if errors:
        raise ValidationFailed("invalid pickup offer", fields=errors)
    r = session.scalar(select(Recycler).where(Recycler.org_id == org_id).with_for_update())
    if r is None:
        r = Recycler(id=uuid.uuid4(), org_id=org_id, authorised_dismantler=False)
        session.add(r)
    licence = data.get("dismantler_licence_no")
    if licence != r.dismantler_licence_no:
        r.authorised_dismantler = False
    r.dismantler_licence_no = licence
    r.kinds = sorted(set(data["kinds"]))
    r.depot_lat, r.depot_lon = data["depot"]["lat"], data["depot"]["lon"]
    r.radius_km = data.get("radius_km")
    r.working_hours = {str(k): [list(w) for w in v] for k, v in data["working_hours"].items()}
    r.holidays = sorted({d.isoformat() if hasattr(d, "isoformat") else str(d) for d in data.get("holidays", [])})
    r.slot_minutes = data["slot_minutes"]
    cap = data["capacity"]
    r.slot_capacity, r.slot_volume_l, r.slot_weight_kg = cap["count"], cap.get("volume_l"), cap.get("weight_kg")
    r.accepts_pool = data.get("accepts_pool", True)
    r.active = data.get("active", True)
    r.regions = [ServiceRegion(region_code=c) for c in sorted(set(data.get("region_codes", [])))]
    session.flush()
    _resize_future_slots(session, r)
    return r


def _resize_future_slots(session: Session, r: Recycler) -> None:
    def at_least_booked(new, booked):
        return None if new is None else case((booked > new, booked), else_=new)
    session.execute(
        update(Slot).where(Slot.recycler_id == r.id, Slot.starts_at > clock.now(session))
        .values(capacity_count=at_least_booked(r.slot_capacity, Slot.booked_count),
                capacity_volume_l=at_least_booked(r.slot_volume_l, Slot.booked_volume_l),
                capacity_weight_kg=at_least_booked(r.slot_weight_kg, Slot.booked_weight_kg))
        .execution_options(synchronize_session=False))


def authorise_dismantler(session: Session, operator: User, org_id, authorised: bool, reason: str | None) -> Recycler:
    """Operator's decision on the declared dismantling licence; vehicles are taken only when set."""
    r = get_offer(session, org_id)
    if authorised and not r.dismantler_licence_no:
        raise ValidationFailed("no dismantling licence declared",
                               fields={"authorised_dismantler": ["The recycler has not declared a licence number."]})
    before = {"authorised_dismantler": r.authorised_dismantler}
    r.authorised_dismantler = authorised
    audit.record(session, operator.id, "pickups.authorise_dismantler", "organization", org_id,
                 before=before, after={"authorised_dismantler": authorised,
                                       "licence_no": r.dismantler_licence_no}, reason=reason)
    session.flush()
    return r


def add_facility(session: Session, actor: User, org_id, data: dict) -> Facility:
    """A facility of the organisation in the three-tier network (or a dismantler, if authorised)."""
    _recycler_org(session, org_id)
    require_staff(actor, org_id)
    tier = FacilityTier(data["tier"])
    errors: dict[str, list[str]] = {}
    if not regions.exists(data["region_code"]):
        errors["region_code"] = ["Not a GB/T 2260 code."]
    if tier == FacilityTier.DISMANTLER:
        offer = session.scalar(select(Recycler).where(Recycler.org_id == org_id))
        if offer is None or not offer.authorised_dismantler:
            raise ValidationFailed("only an authorised dismantler runs a dismantling facility",
                                   code="not_authorised_dismantler",
                                   fields={"tier": ["The organisation is not an authorised dismantler."]})
    parent_id = data.get("parent_id")
    if parent_id:
        parent = session.get(Facility, parent_id)
        if parent is None:
            errors["parent_id"] = ["No such facility."]
        elif tier == FacilityTier.DISMANTLER or TIER_RANK[parent.tier] <= TIER_RANK[tier] \
                or parent.tier == FacilityTier.DISMANTLER:
            errors["parent_id"] = ["The parent must be a higher tier of the network."]
    if errors:
        raise ValidationFailed("invalid facility", fields=errors)
    f = Facility(org_id=org_id, name=data["name"], tier=tier, region_code=data["region_code"],
                 lat=data["lat"], lon=data["lon"], address=data.get("address") or "", parent_id=parent_id)
    session.add(f)
    session.flush()
    return f


def list_facilities(session: Session, org_id) -> list[Facility]:
    _recycler_org(session, org_id)
    return list(session.scalars(select(Facility).where(Facility.org_id == org_id, Facility.active)
                                .order_by(Facility.tier, Facility.name)))


def add_collector(session: Session, actor: User, org_id, user_id, name: str | None) -> Collector:
    """Make a staff member of the organisation one of its collectors."""
    _recycler_org(session, org_id)
    require_staff(actor, org_id)
    member = session.scalar(select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id))
    if member is None or member.user.role != Role.RECYCLER:
        raise ValidationFailed("not a member of this recycler", fields={"user_id": ["Not a member of this recycler."]})
    c = session.scalar(select(Collector).where(Collector.org_id == org_id, Collector.user_id == user_id))
    if c is None:
        c = Collector(org_id=org_id, user_id=user_id, name=name or member.user.display_name)
        session.add(c)
    else:
        c.active, c.name = True, name or c.name
    session.flush()
    return c


def list_collectors(session: Session, actor: User, org_id) -> list[Collector]:
    _recycler_org(session, org_id)
    require_staff(actor, org_id)
    return list(session.scalars(select(Collector).where(Collector.org_id == org_id, Collector.active)
                                .order_by(Collector.name)))
