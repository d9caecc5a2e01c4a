"""Background jobs (in-process and through RQ on real Redis) and the demo seed command."""
import os

import pytest
import redis
from sqlalchemy import func, select

from marketplace import jobs
from services.accounts.models import Role, User
from services.certificates.models import WipeCertificate
from services.certificates.verify import CertificateRequired, device_gate, require_valid_certificate
from services.flows.publishing import PUBLISH_GATES
from services.listings.models import Category, Listing, SearchOutbox, Status
from services.watchlist import seed as watchlist_seed
from tests.factories.app import make_app

MARK = "huanxin:test:job-ran"


def mark_job(session, value="1"):
    """A job that leaves a trace in Redis."""
    redis.Redis.from_url(os.environ["TEST_JOB_REDIS"]).incr(MARK)
    return 1


@pytest.fixture
def job_redis(redis_url, monkeypatch):
    r = redis.Redis.from_url(redis_url)
    r.delete(MARK)
    for k in r.keys("huanxin:tick:*"):
        r.delete(k)
    monkeypatch.setenv("TEST_JOB_REDIS", redis_url)
    monkeypatch.setattr(jobs, "PERIODIC_JOBS", [jobs.Periodic(mark_job, 60)])
    return r


def test_periodic_jobs_run_inline_in_the_embedded_default(app, job_redis):
    inline = make_app(app.config["DATABASE_URL"], app.instance_path and __import__("pathlib").Path(app.instance_path),
                      REDIS_URL=None)
    last = {}
    assert jobs.run_due(inline, last, now=1000.0) == [f"{__name__}.mark_job"]
    assert jobs.run_due(inline, last, now=1030.0) == []      # not due yet
    assert jobs.run_due(inline, last, now=1061.0) == [f"{__name__}.mark_job"]
    assert int(job_redis.get(MARK)) == 2


def test_jobs_go_through_rq_on_redis_and_a_tick_runs_once(db_url, instance_dir, redis_url, job_redis, monkeypatch):
    from rq import Queue, SimpleWorker
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=False)
    conn = redis.Redis.from_url(redis_url)
    Queue("default", connection=conn).empty()
    assert jobs.run_due(app, {}, now=5000.0) == [f"{__name__}.mark_job"]
    # a second worker process at the same tick does not enqueue it again
    assert jobs.run_due(app, {}, now=5000.0) == []
    assert job_redis.get(MARK) is None                        # queued, not yet run
    SimpleWorker([Queue("default", connection=conn)], connection=conn).work(burst=True)
    assert int(job_redis.get(MARK)) == 1


def test_seed_creates_every_role_and_published_listings(app, session):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["seed", "--listings", "1200"])
    assert r.exit_code == 0, r.output
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert set(roles) == set(Role)
    cats = dict(session.execute(select(Listing.category, func.count()).group_by(Listing.category)).all())
    assert cats.pop(Category.OTHER) == 2  # retailer1@'s remanufactured engine and gearbox (issue 22)
    # + the three fridges of the cross-city shipping demo (services/shipping/seed.py)
    assert sum(cats.values()) == 1203 and len(cats) == 3 and min(cats.values()) > 100
    assert "shipping: order " in r.output
    # Every listing reaches search (certified phones twice: inserted, then their certificate shown).
    assert session.scalar(select(func.count(func.distinct(SearchOutbox.listing_id)))) == 1205
    shanxi = session.scalar(select(func.count()).select_from(Listing).where(Listing.region_code.like("14%")))
    assert shanxi > 400
    titles = session.scalars(select(Listing.title).limit(50)).all()
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) and any(ch.isascii() and ch.isalpha() for ch in t) for t in titles)
    # The demo data obeys the data-wipe rule: each published device with an IMEI has its own
    # valid, signed, current resale certificate, issued by a recycler independent of the seller.
    assert "wipe certificates: " in r.output and "awaiting certification" not in r.output
    published = _devices(session, Status.PUBLISHED)
    assert len(published) > 300
    assert _devices(session, Status.DRAFT) == []
    certs = {}
    for listing in published:
        cert = require_valid_certificate(session, listing.device_hash, serial_hash=listing.serial_hash)
        assert cert.destination == "resale" and cert.org_id != listing.org_id
        assert cert.technician_id != cert.validator_id and listing.seller_id not in (cert.technician_id, cert.validator_id)
        certs[cert.id] = listing.id
    assert len(certs) == len(published) == session.scalar(select(func.count()).select_from(WipeCertificate))
    # Buyers see each certificate on its listing, and no published data-bearing device skips the
    # gate (the demo's laptops, tablets and watches have no serial, so they stay drafts).
    assert all(l.wipe_certificate["id"] == str(c) for c, lid in certs.items() for l in [session.get(Listing, lid)])
    for listing in session.scalars(select(Listing).where(Listing.status == Status.PUBLISHED,
                                                         Listing.category == Category.ELECTRONICS)):
        device_gate(session, category=listing.category, kind=listing.kind, attributes=listing.attributes,
                    device_hash=listing.device_hash, serial_hash=listing.serial_hash)
    again = runner.invoke(args=["seed", "--if-empty"])
    assert "not empty" in again.output


def _devices(session, status):
    return session.scalars(select(Listing).where(
        Listing.status == status, Listing.category == Category.ELECTRONICS,
        Listing.device_hash.is_not(None))).all()


def test_seed_beyond_the_certification_cap_leaves_phones_as_drafts(app, session):
    """Past `certified_max` phones are drafts awaiting certification, and the gate keeps them
    there: submitting one for review is refused until a certificate exists."""
    from services import demo
    from services.listings import service as listings
    summary = demo.seed(session, n_listings=300, certified_max=20,
                        keyring=app.extensions["huanxin.cert_keyring"])
    session.commit()
    published, drafts = _devices(session, Status.PUBLISHED), _devices(session, Status.DRAFT)
    assert len(published) == 20 and len(drafts) > 50
    assert any(f"{len(drafts)} more phones are drafts awaiting certification" in line for line in summary)
    for listing in published:
        require_valid_certificate(session, listing.device_hash, serial_hash=listing.serial_hash)
    assert all(d.published_at is None for d in drafts)
    with pytest.raises(CertificateRequired):
        require_valid_certificate(session, drafts[0].device_hash)
    with pytest.raises(CertificateRequired):
        listings.transition(session, session.get(User, drafts[0].seller_id), drafts[0].id, "submit",
                            gates=PUBLISH_GATES)


def test_seed_shows_a_newcomer_conversations_ratings_and_favourites(app, client, session):
    """Logged in as consumer1@, a newcomer finds favourites, a saved search and conversations
    (one with a contact attempt masked); listings show their sellers' ratings, trades and band."""
    from services import demo
    from services.reviews.models import Review
    summary = demo.seed(session, n_listings=400, keyring=app.extensions["huanxin.cert_keyring"])
    session.commit()
    assert any(line.startswith("conversations: 2 ") and "1 with a contact attempt masked" in line
               for line in summary), summary

    def login(email):
        r = client.post("/api/v1/accounts/login", json={"email": email, "password": demo.DEMO_PASSWORD})
        assert r.status_code == 200, r.json
        return {"Authorization": f"Bearer {r.json['access_token']}"}
    me = login("consumer1@demo.huanxin.cn")
    assert len(client.get("/api/v1/favourites", headers=me).json["items"]) == 3
    assert [s["name"] for s in client.get("/api/v1/saved-searches", headers=me).json["items"]] == [
        watchlist_seed.SAVED[0]]

    texts = []
    for i in range(1, 21):
        headers = login(f"consumer{i}@demo.huanxin.cn")
        for conv in client.get("/api/v1/conversations", headers=headers).json["items"]:
            texts += [m["text"] for m in client.get(f"/api/v1/conversations/{conv['id']}/messages",
                                                    headers=headers).json["items"]]
    masked = [t for t in texts if "***" in t]
    assert masked and not any("13812345678" in t or "wxid_huanxin88" in t for t in texts)

    reviewed = session.scalars(select(Review.subject_id).where(Review.published_at.is_not(None))).all()
    assert len(reviewed) == 6                                   # three trades, both sides reviewed
    seller_listing = session.scalar(select(Listing.id).where(Listing.seller_id.in_(reviewed),
                                                             Listing.status == Status.PUBLISHED).limit(1))
    seller = client.get(f"/api/v1/listings/{seller_listing}").json["seller"]
    assert seller["rating_count"] >= 1 and seller["completed_trades"] >= 1 and seller["credit_band"]
