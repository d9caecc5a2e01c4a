"""Realistic demo data for `flask seed`: each domain's seed (services/<domain>/seed.py, or demo.py
where a domain has not renamed it yet) called in order: accounts, listings (bulk inserts keep
100,000 listings fast), wipe certificates, pickups, trades with reviews, conversations,
favourites, credit scores, trade-in prices and subsidy pools.

Every published phone obeys the data-wipe rule: a recycler team takes it in, wipes it and a
colleague approves its signed certificate through the real certificate services. That costs
about 5 ms a phone (all 40,000 phones of a 100,000-listing seed would add over three minutes),
so past CERTIFIED_PHONES_MAX the remaining phones are drafts awaiting certification: the
publish gate guards submission for review too, so they cannot be pending review either."""
from __future__ import annotations

import random
import uuid

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services import clock, identifiers
from services.accounts.models import User
from services.accounts.seed import DEMO_PASSWORD, RECYCLERS, users
from services.certificates import seed as certificates_seed
from services.certificates.signing import Keyring
from services.conversations import seed as conversations_seed
from services.credit import batch as credit_batch
from services.flows.publishing import PUBLISH_GATES
from services.ledger import seed as ledger_seed
from services.listings.models import Listing, SearchOutbox
from services.listings.seed import OTHER_PROVINCES, listing_rows, region_pool
from services.listings.validation import stores_personal_data
from services.listings import service as listings_service
from services.pickups import demo as pickups_demo
from services.batteries import seed as batteries_seed
from services.remanufacturing import seed as remanufacturing_seed
from services.reviews import seed as reviews_seed
from services.shipping import seed as shipping_seed
from services.subsidies import demo as subsidies_demo
from services.tradeins import seed as tradein_seed
from services.watchlist import seed as watchlist_seed

__all__ = ["CERTIFIED_PHONES_MAX", "DEMO_PASSWORD", "has_users", "listing_rows", "seed", "users"]

CERTIFIED_PHONES_MAX = 3000


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def wipe_teams(people: dict[str, list[User]]) -> list[certificates_seed.Team]:
    """recycler1@ and recycler2@ wipe; their QC colleague validates."""
    return [certificates_seed.Team(org_id=next(iter(owner.org_ids())), technician=owner, validator=qc, place=place)
            for owner, qc, (_, _, place) in zip(people["recycler"], people["recycler_qc"], RECYCLERS)]


def _phone(row: dict, imei: str) -> certificates_seed.Device:
    return certificates_seed.Device(imei=imei, kind="phone", make=row["brand"], model=row["model"],
                                    storage_gb=row["storage_gb"], seller_id=row["seller_id"],
                                    seller_org_id=row["org_id"])


def remanufactured_seed(session: Session, people: dict[str, list[User]]) -> list[str]:
    """The remanufacturing catalogue and battery custody demo, and retailer1@'s remanufactured
    engine and gearbox listings naming their catalogue entries, published."""
    lines, entries = remanufacturing_seed.seed(session, people)
    lines += batteries_seed.seed(session, people)
    retailer, operator = people["retailer"][0], people["operator"][0]
    for entry, price in zip(entries[:2], (1_850_000, 760_000)):
        listing = listings_service.create(session, retailer, {
            "category": "other", "title": f"{entry.product_name} {entry.model} 再制造产品 质保{entry.warranty_months}个月",
            "description": "以旧换再推广产品，交回旧件可抵扣。Remanufactured, quality not below new.",
            "price_fen": price, "condition": "remanufactured", "region_code": "140100",
            "reman_entry_id": entry.id, "warranty_months": entry.warranty_months,
            "attributes": {"kind": "other", "brand": entry.enterprise_name[:20], "model": entry.model}})
        listings_service.transition(session, retailer, listing.id, "submit", gates=PUBLISH_GATES)
        listings_service.transition(session, operator, listing.id, "approve", gates=PUBLISH_GATES)
    return [*lines, "remanufactured listings: retailer1@ sells a remanufactured engine and gearbox"]


def publish_listing(session: Session, seller: User, operator: User, payload: dict) -> Listing:
    """A listing through the listing service, submitted and approved (the publish gates run)."""
    listing = listings_service.create(session, seller, payload)
    listings_service.transition(session, seller, listing.id, "submit", gates=PUBLISH_GATES)
    listings_service.transition(session, operator, listing.id, "approve", gates=PUBLISH_GATES)
    return listing


def social_seed(session: Session, people: dict[str, list[User]]) -> list[str]:
    """What a buyer looks at before trusting a stranger: completed trades reviewed by both sides,
    conversations (one with a masked contact attempt), consumer1@'s favourites and saved search,
    and a credit score for every participant, so listings show their sellers' standing."""
    consumers = people["consumer"]
    lines = [*reviews_seed.seed(session, consumers), *conversations_seed.seed(session, consumers),
             *watchlist_seed.seed(session, consumers[0]), *ledger_seed.seed(session, consumers[0])]
    subjects = [u.id for u in consumers] + list({o for u in people["retailer"] + people["recycler"]
                                                 for o in u.org_ids()})
    scored = credit_batch.recompute_many(session, subjects, trigger="batch")
    return [*lines, f"credit scores: {scored} participants scored (bands shown on their listings)"]


def seed(session: Session, *, n_listings: int = 3000, rng_seed: int = 2026, progress=None,
         keyring: Keyring | None = None, certified_max: int = CERTIFIED_PHONES_MAX) -> list[str]:
    """Insert demo users and `n_listings` listings (with their search outbox rows). Every
    published phone has a valid signed wipe certificate issued with `keyring` (the app's; a
    throwaway key, published in the registry, when None); phones beyond `certified_max` are
    drafts awaiting certification."""
    if keyring is None:
        keyring = Keyring()
        keyring.generate(f"demo-{uuid.uuid4().hex[:8]}")
    rng = random.Random(rng_seed)
    people = users(session)
    sellers = people["consumer"] + people["retailer"] + people["recycler"]
    teams = wipe_teams(people)
    certificates_seed.allow_tool(session, people["operator"][0])
    # Through the listing service (catalogue check, publish gates) while retailer1@'s listing
    # limit is still free: the bulk rows below are inserted directly.
    reman = remanufactured_seed(session, people)
    shipping = shipping_seed.seed(session, people, publish=publish_listing)   # likewise, before the bulk rows
    pool = region_pool()
    today = clock.now(session).date()
    batch = 5000
    done = certified = drafts = unidentified = 0
    while done < n_listings:
        imeis: dict = {}
        rows = listing_rows(rng, min(batch, n_listings - done), sellers, today, pool, progress, imeis,
                            hasher=identifiers.hasher(session), now=clock.now(session))
        phones = []
        for row in rows:
            if row["id"] not in imeis:
                if row["category"] == "electronics" and stores_personal_data(row["kind"], row["attributes"]):
                    # A laptop, tablet or watch without its serial cannot pass the wipe gate: the
                    # demo lists it as a draft its seller completes, as the gate requires.
                    row.update(status="draft", published_at=None)
                    unidentified += 1
                continue
            if certified + len(phones) < certified_max:
                phones.append(_phone(row, imeis[row["id"]]))
            else:
                row.update(status="draft", published_at=None)
                drafts += 1
        session.execute(insert(Listing), rows)
        session.execute(insert(SearchOutbox), [{"listing_id": r["id"], "revision": 1} for r in rows])
        # After the listings, so the certificate rules see each phone's seller (no self-certifying).
        certified += certificates_seed.certify_all(session, keyring, phones, teams)
        done += len(rows)
    pickups_demo.seed(session, people)
    social = social_seed(session, people)
    session.flush()
    return [*social, *reman, *shipping, f"users: {sum(len(v) for v in people.values())} (password for all: {DEMO_PASSWORD})",
            "operator: operator@demo.huanxin.cn; consumers: consumer1..20@demo.huanxin.cn; "
            "retailers: retailer1..3@; recyclers: recycler1..2@ (wipe technicians), "
            "recycler1-qc@ and recycler2-qc@ (their validators)",
            f"listings: {n_listings} ({n_listings - drafts - unidentified} published, "
            f"{drafts + unidentified} draft, of which {unidentified} data-bearing devices without "
            "their serial number)",
            f"wipe certificates: {certified} phones certified through intake, submit and approval"
            + (f"; {drafts} more phones are drafts awaiting certification (seed certifies at most "
               f"{certified_max})" if drafts else ""),
            *tradein_seed.seed_prices(session, people["retailer"]),
            *subsidies_demo.seed_pools(session, people["operator"][0].id, ["140000", *OTHER_PROVINCES], today=today)]
