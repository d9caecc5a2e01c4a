"""One recycling voucher backs at most one subsidised purchase (one old item handed in = one
subsidy), whichever retailer sells it.

The voucher a purchase rests on is the one the claim export shows (`evidence.recycling_voucher`):
the voucher pickups issued, found by the number the till recorded, else by the order's pickup,
else by the old device; failing that, the number the till recorded. Its key is its number,
stripped and upper-cased: a pickups voucher's number is unique, so a verified voucher is keyed by
its identity however it was found, and a typed number of it ("rv2025…") is the same voucher.

Held and freed (`VoucherClaim` rows, written in the reservation's transaction):
- `check` refuses early (409 `voucher_already_used`, naming the field) when a held claim, or an
  order whose pickup issued the voucher, already rests on it; `claim` then writes the claim as
  the reservation's last step (after the pools: every reservation takes its locks in the same
  order), and the partial unique index on held claims makes the second of two tills racing with
  one voucher the same 409.
- A release (nothing was sold: cancelled, or undone before payment) frees the voucher.
- A claw-back (refund or return after payment) keeps it: the new item goes back but the old one
  stays recycled, and a clawed-back line may already sit in a submitted claim, so freeing it
  would let one old item back two claimed subsidies. It follows the programmes' own switch for
  the buyer's quota slot (`returns.frees_quota_slot`, false in every programme file; the only
  rule found counts a return as using the slot): freed only when the slot is.

`conflict` is the export's check, read from the data as it is now, so it also catches what the
claims cannot: purchases reserved before a voucher was verified (an order's pickup collected
afterwards) or before this table existed.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import IdStatus, User
from services.errors import Conflict
from services.subsidies import evidence
from services.subsidies.models import Reservation, ReservationStatus as S, VoucherClaim

CONFLICTS = ("voucher_reused", "voucher_other_person", "voucher_other_item")
# The request field that named the voucher, by what found it.
_FIELDS = {"number": "old_item.recycling_voucher_no", "device": "old_item.device_id", "order": "order_id"}
# The quote contract's old-item kinds that pickups records under other names.
_KIND_ALIASES = {"computer": frozenset({"computer", "laptop", "desktop"})}


@dataclass(frozen=True)
class Backing:
    """The voucher a purchase rests on."""
    key: str                          # its number, stripped and upper-cased
    voucher_id: uuid.UUID | None      # the pickups voucher, when verified
    order_id: uuid.UUID | None        # the order its pickup was booked for (送新取旧)
    field: str                        # the request field that named it


def normalise(number: str | None) -> str | None:
    key = (number or "").strip().upper()[:60]
    return key or None


def _backing(voucher: dict) -> Backing | None:
    key = normalise(voucher["voucher_no"])
    if key is None:
        return None
    return Backing(key, voucher["voucher_id"], voucher["order_id"], _FIELDS[voucher["via"] or "number"])


def voucher_of(session: Session, ev: dict, order_id=None, recycler_name: str | None = None) -> dict:
    """The old item's voucher of a purchase from its masked evidence (see evidence.recycling_voucher)."""
    return evidence.recycling_voucher(session, voucher_no=ev.get("recycling_voucher_no"), recycler_name=recycler_name,
                                      order_id=order_id, old_device_hash=ev.get("old_device_hash"))


def backing(session: Session, ev: dict, order_id=None) -> Backing | None:
    """The voucher a sale rests on (None when it names none)."""
    return _backing(voucher_of(session, ev, order_id))


def _holding():
    """Reservations that spend their voucher: active, or clawed back with the buyer's slot kept."""
    return or_(Reservation.status.in_([S.RESERVED, S.REDEEMED]),
               and_(Reservation.status == S.CLAWED_BACK, Reservation.slot_consumed.is_(True)))


def _used(b: Backing) -> Conflict:
    return Conflict("this recycling voucher already backs another subsidised purchase", code="voucher_already_used",
                    fields={b.field: ["This recycling voucher already backs another subsidised purchase."]})


def check(session: Session, b: Backing | None, *, order_id=None) -> None:
    """Refuse (409 `voucher_already_used`) a voucher another purchase already rests on."""
    if b is None:
        return
    held = session.scalar(select(VoucherClaim.id).where(VoucherClaim.voucher_key == b.key,
                                                        VoucherClaim.freed_at.is_(None)).limit(1))
    if held is None and b.order_id is not None and b.order_id != order_id:
        # The order its pickup was booked for rests on it, even when reserved before it was issued.
        held = session.scalar(select(Reservation.id).where(Reservation.order_id == b.order_id, _holding()).limit(1))
    if held is not None:
        raise _used(b)


def claim(session: Session, reservation: Reservation, b: Backing | None) -> None:
    """Hold the voucher for `reservation` (flushed), or raise 409 `voucher_already_used` when a
    concurrent reservation holds it. On PostgreSQL the insert waits for a racing transaction
    holding the same key and does nothing if that one commits."""
    if b is None:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (insert(VoucherClaim)
            .values(id=uuid.uuid4(), voucher_key=b.key, voucher_id=b.voucher_id, reservation_id=reservation.id,
                    claimed_at=clock.now())
            .on_conflict_do_nothing(index_elements=["voucher_key"], index_where=text("freed_at IS NULL"))
            .returning(VoucherClaim.id))
    if session.execute(stmt).scalar() is None:
        raise _used(b)


def free(session: Session, reservation: Reservation) -> None:
    """The reservation no longer spends its voucher (released, or a return the programme lets go)."""
    session.execute(update(VoucherClaim)
                    .where(VoucherClaim.reservation_id == reservation.id, VoucherClaim.freed_at.is_(None))
                    .values(freed_at=clock.now()).execution_options(synchronize_session=False))


# --- the export's check ---------------------------------------------------------------------

def conflict(session: Session, r: Reservation, voucher: dict, old_kind: str | None) -> str | None:
    """The fraud signal of a purchase's voucher (`voucher` from `voucher_of`), or None:
    `voucher_reused` (another purchase that spends its voucher rests on the same one),
    `voucher_other_person` (a verified voucher of someone other than the buyer) or
    `voucher_other_item` (a verified voucher without an item of the old item's kind)."""
    b = _backing(voucher)
    if b is None:
        return None
    if _reused(session, r, voucher, b):
        return "voucher_reused"
    if voucher["status"] != "verified":
        return None
    if _other_person(session, r, voucher["consumer_id"]):
        return "voucher_other_person"
    if old_kind and voucher["kinds"] and not (_KIND_ALIASES.get(old_kind, {old_kind}) & voucher["kinds"]):
        return "voucher_other_item"
    return None


def _reused(session: Session, r: Reservation, voucher: dict, b: Backing) -> bool:
    held = select(VoucherClaim.reservation_id).where(VoucherClaim.voucher_key == b.key,
                                                    VoucherClaim.freed_at.is_(None))
    if session.scalar(held.where(VoucherClaim.reservation_id != r.id).limit(1)) is not None:
        return True
    # Purchases that may rest on it without a claim: by the number typed, the order, the old device.
    number = func.upper(func.trim(Reservation.evidence["recycling_voucher_no"].as_string()))
    maybe = [number == b.key]
    if voucher["order_id"] is not None:
        maybe.append(Reservation.order_id == voucher["order_id"])
    if voucher["device_hashes"]:
        maybe.append(Reservation.evidence["old_device_hash"].as_string().in_(sorted(voucher["device_hashes"])))
    others = session.scalars(select(Reservation).where(Reservation.id != r.id, _holding(), or_(*maybe)))
    return any(getattr(_backing(voucher_of(session, o.evidence or {}, o.order_id)), "key", None) == b.key
               for o in others)


def _other_person(session: Session, r: Reservation, consumer_id) -> bool:
    """Compared by user for orders (another account with the same verified resident ID is the
    same person); by the verified resident ID's keyed hash for till sales, when both are known."""
    if r.buyer_user_id is not None and consumer_id == r.buyer_user_id:
        return False
    consumer = session.get(User, consumer_id) if consumer_id else None
    consumer_hash = consumer.id_hash if consumer is not None and consumer.id_status == IdStatus.VERIFIED else None
    if consumer_hash and r.buyer_id_hash:
        return consumer_hash != r.buyer_id_hash
    return r.buyer_user_id is not None
