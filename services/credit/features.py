"""Participant factors, from trade behaviour only.

The inputs are the participant's credit events (services.credit.events) and two account facts:
whether their identity is verified and when the account was opened. Nothing about the person
(sex, age, origin, health, contacts...) is read; FEATURE_NAMES passes the protected-attribute
deny-list, and a test holds the extractor to it.

Rules, each documented because a participant may ask:
- Five-year horizon: a negative record (cancellation, dispute lost, mismatch, clawback unpaid,
  no-show, wipe refusal, payment failure, chargeback, review of 1-2 stars) older than five years
  no longer counts. Positive records keep counting.
- Voided records (an operator struck them, with an audited reason) do not count.
- Count floors, after eBay's seller standards: a rate counts only from its second bad case
  (RATE_COUNT_FLOOR), and is taken over at least RATE_MIN_DENOMINATOR trades, so one bad case
  cannot sink a small seller.
- Review average is shrunk towards a prior (REVIEW_PRIOR_MEAN, weight REVIEW_PRIOR_WEIGHT), so
  one early one-star review moves it little.
- Thin file: a participant with fewer than THIN_FILE_MIN_TRADES completed trades, whatever else
  their record holds. Their band is capped at THIN_FILE_BAND_CAP (with the reason code
  THIN_FILE) until they have traded. A negative record never lifts the cap (it used to: one
  negative record ended the thin-file treatment, which put a one-trade seller with an inspection
  mismatch in the `good` band above a seller with two clean trades).
- Rates are always observed: a participant with no bad case has a rate of 0 whether they have
  one trade or none. Only the pickup and wipe rates are empty (None) when there is nothing to
  rate; services/credit/honest.py scores an empty rate exactly like a clean one, so the first
  record of either kind moves no points by itself (the conduct points of a negative one do).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

NEGATIVE_HORIZON = timedelta(days=5 * 365 + 1)
RATE_COUNT_FLOOR = 2
RATE_MIN_DENOMINATOR = 20
REVIEW_PRIOR_MEAN = 4.5
REVIEW_PRIOR_WEIGHT = 5
LOW_REVIEW_STARS = 2
THIN_FILE_MIN_TRADES = 3
# A thin file's band is capped here whatever its score: no record is not a good record, and the
# privileges above (prepaid trade-ins, deposit waivers) are for participants who have traded.
THIN_FILE_BAND_CAP = "fair"

NEGATIVE_KINDS = frozenset({
    "order_cancelled_buyer", "order_cancelled_seller", "dispute_lost", "inspection_mismatch",
    "clawback_unpaid", "pickup_no_show", "wipe_certificate_refused", "payment_failed", "chargeback",
    "pickup_cancelled_late", "order_not_shipped", "wipe_certificate_revoked",
})
# A completed trade: the event that "a clean trade" adds (the property tests add these).
TRADE_KINDS = frozenset({"order_completed_buyer", "order_completed_seller"})

# Factor name -> kind ("numeric" or "categorical"), in the order of the default card.
FEATURES: dict[str, str] = {
    "identity_verified": "categorical",
    "account_age_days": "numeric",
    "trades_completed": "numeric",
    "cancellation_rate": "numeric",
    "dispute_loss_rate": "numeric",
    "review_average": "numeric",
    "inspection_mismatches": "numeric",
    "clawbacks_unpaid": "numeric",
    "pickup_no_show_rate": "numeric",
    "wipe_refusal_rate": "numeric",
    "payment_failures": "numeric",
    "chargebacks": "numeric",
    "bureau_score": "numeric",  # optional, from services.credit.bureau; None when unknown
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)

# Which way each factor must pay: +1 more is better, -1 more is worse. A card whose points run
# against these is refused (services/credit/honest.py), so that a negative record can never
# raise a score and a clean trade never lower it. identity_verified: "yes" pays at least "no".
DIRECTIONS: dict[str, int] = {
    "account_age_days": +1, "trades_completed": +1, "review_average": +1, "bureau_score": +1,
    "cancellation_rate": -1, "dispute_loss_rate": -1, "inspection_mismatches": -1,
    "clawbacks_unpaid": -1, "pickup_no_show_rate": -1, "wipe_refusal_rate": -1,
    "payment_failures": -1, "chargebacks": -1,
}
# Rates that are empty (None) until their first record, which may be good or bad: their empty
# and clean bins must score alike.
OPTIONAL_RATES = ("pickup_no_show_rate", "wipe_refusal_rate")
RATES = ("cancellation_rate", "dispute_loss_rate", *OPTIONAL_RATES)


class EventLike(Protocol):
    kind: str
    occurred_at: datetime
    value: int | None


@dataclass
class Tally:
    """Counts per event kind within the rules above, plus review stars."""
    counts: Counter[str] = field(default_factory=Counter)
    review_stars_sum: int = 0
    review_count: int = 0

    def add(self, kind: str, n: int = 1, stars_sum: int = 0) -> None:
        if kind == "review_received":
            self.review_count += n
            self.review_stars_sum += stars_sum
        self.counts[kind] += n

    @property
    def negatives(self) -> int:
        return sum(self.counts[k] for k in NEGATIVE_KINDS)


def counts_as_negative(kind: str, value: int | None) -> bool:
    return kind in NEGATIVE_KINDS or (kind == "review_received" and value is not None
                                      and value <= LOW_REVIEW_STARS)


def tally(events: Iterable[EventLike], now: datetime) -> Tally:
    """Tally events, dropping negative records older than the five-year horizon."""
    cutoff = now - NEGATIVE_HORIZON
    t = Tally()
    for ev in events:
        if getattr(ev, "voided_at", None) is not None:
            continue
        if counts_as_negative(ev.kind, ev.value) and ev.occurred_at < cutoff:
            continue
        t.add(ev.kind, 1, (ev.value or 0) if ev.kind == "review_received" else 0)
    return t


def floored_rate(bad: int, total: int) -> float:
    """eBay-style rate: zero below the count floor, over at least RATE_MIN_DENOMINATOR trades."""
    if bad < RATE_COUNT_FLOOR:
        return 0.0
    return bad / max(total, bad, RATE_MIN_DENOMINATOR)


@dataclass(frozen=True)
class AccountFacts:
    identity_verified: bool
    opened_at: datetime


def is_thin_file(t: Tally) -> bool:
    """Too few completed trades to be trusted above THIN_FILE_BAND_CAP. Negative records do not
    end it: a bad record is not a track record."""
    return t.counts["order_completed_buyer"] + t.counts["order_completed_seller"] < THIN_FILE_MIN_TRADES


def features_from(account: AccountFacts, t: Tally, now: datetime, bureau_score: int | None = None
                  ) -> dict[str, Any]:
    """The scorecard factors of one participant. The pickup and wipe rates are None while the
    participant has no record of that kind; every other factor always has a value (bar an
    unknown bureau score or no review yet)."""
    c = t.counts
    trades = c["order_completed_buyer"] + c["order_completed_seller"]
    cancelled = c["order_cancelled_buyer"] + c["order_cancelled_seller"]
    # A late cancellation by the recycler is a missed appointment for the rate (as before it had
    # its own kind); it also costs its own conduct points.
    missed = c["pickup_no_show"] + c["pickup_cancelled_late"]
    pickups = c["pickup_kept"] + missed
    certificates = c["wipe_certificate_ok"] + c["wipe_certificate_refused"]
    # A revoked certificate was issued (counted in ok) and then found wanting.
    noncompliant = c["wipe_certificate_refused"] + c["wipe_certificate_revoked"]
    review = None
    if t.review_count:
        review = round((t.review_stars_sum + REVIEW_PRIOR_MEAN * REVIEW_PRIOR_WEIGHT)
                       / (t.review_count + REVIEW_PRIOR_WEIGHT), 3)
    return {
        "identity_verified": "yes" if account.identity_verified or c["identity_verified"] else "no",
        "account_age_days": max(0, (now - account.opened_at).days),
        "trades_completed": trades,
        "cancellation_rate": floored_rate(cancelled, trades + cancelled),
        "dispute_loss_rate": floored_rate(c["dispute_lost"], trades),
        "review_average": review,
        "inspection_mismatches": c["inspection_mismatch"],
        "clawbacks_unpaid": c["clawback_unpaid"],
        "pickup_no_show_rate": None if not pickups else floored_rate(missed, pickups),
        "wipe_refusal_rate": None if not certificates + noncompliant else floored_rate(noncompliant, certificates),
        "payment_failures": c["payment_failed"],
        "chargebacks": c["chargeback"],
        "bureau_score": bureau_score,
    }


def extract(account: AccountFacts, events: Iterable[EventLike], now: datetime) -> dict[str, Any]:
    """Factors straight from a participant's events (the one-participant path)."""
    return features_from(account, tally(events, now), now)


def tally_from_rows(rows: Iterable[Mapping[str, Any]]) -> Tally:
    """A Tally from pre-aggregated rows {kind, n, stars} (the batch path groups in SQL)."""
    t = Tally()
    for r in rows:
        t.add(r["kind"], int(r["n"]), int(r.get("stars") or 0))
    return t
