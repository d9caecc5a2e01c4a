"""One old item handed in backs at most one subsidised purchase, whichever retailer sells it.
A pickup that collects several old items (送新取旧 for a fridge and a washing machine, two air
conditioners) issues one voucher listing them all: it backs one purchase per item it lists.

The voucher a purchase rests on is the one the claim export shows (`evidence.recycling_voucher`):
the voucher pickups issued, found by the number the till recorded, else by the order's pickup,
else by the old device; failing that, the number the till recorded. Its key is its number,
stripped and upper-cased: a pickups voucher's number is unique, so a verified voucher is keyed by
its identity however it was found, and a typed number of it ("rv2025…") is the same voucher.

Which of its items the purchase's old item can be (`Backing.slots`, positions in the voucher's
item list, tried in that order):
- a verified voucher: the item whose device hash is the old device's (a till sale's
  `old_device_hash`), when one is; else every item of the old item's kind (the quote's
  `trade_in.kind`, with pickups' names for it: computer ~ laptop/desktop); every item when the
  purchase names no kind. None at all is a 409 `voucher_other_item` (naming the field): the
  voucher does not show this old item was recycled.
- a recorded number (typed at the till, not issued by pickups): nobody knows what it lists, so
  it is one item, slot 0: one purchase per number, as before vouchers listed items.

Held and freed (`VoucherClaim` rows keyed by (voucher, item slot), written in the reservation's
transaction):
- `check` refuses early (409 `voucher_already_used`, naming the field) when held claims already
  take every item the old item can be, counting the order the voucher's pickup was booked for
  even when it was reserved before the voucher was issued (it holds no claim then); `claim` then
  writes the claim as the reservation's last step (after the pools: every reservation takes its
  locks in the same order), trying the slots in order and taking the first free one with an
  insert that does nothing on conflict. The partial unique index on held claims decides: on
  PostgreSQL the insert waits for a racing transaction holding the same item and moves on to the
  next slot if that one commits, so tills racing for a voucher with n matching items end with n
  reservations and the rest get the same 409. Before its own claim, `claim` writes the claim of
  that order's reservation if it has none (its first free item), so it is counted under the
  index too.
- A release (nothing was sold: cancelled, or undone before payment) frees the item.
- A claw-back (refund or return after payment) keeps it: the new item goes back but the old one
  stays recycled, and a clawed-back line may already sit in a submitted claim, so freeing it
  would let one old item back two claimed subsidies. It follows the programmes' own switch for
  the buyer's quota slot (`returns.frees_quota_slot`, false in every programme file; the only
  rule found counts a return as using the slot): freed only when the slot is.

`conflict` is the export's check, read from the data as it is now, so it also catches what the
claims cannot: purchases reserved before a voucher was verified (an order's pickup collected
afterwards) or before claims existed. `voucher_reused` when more purchases rest on the voucher
than it has items they can be (the claims keep the items they hold, the others are given free
ones, the most constrained first): the purchases left without one and those holding an item one
of them could have been; `voucher_other_item` when none of its items can be the old item.
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
    """The voucher a purchase rests on, and which of its items the purchase's old item can be."""
    key: str                          # its number, stripped and upper-cased
    voucher_id: uuid.UUID | None      # the pickups voucher, when verified
    order_id: uuid.UUID | None        # the order its pickup was booked for (送新取旧)
    field: str                        # the request field that named it
    slots: tuple[int, ...] = (0,)     # its items the old item can be, in the order tried; () none


def normalise(number: str | None) -> str | None:
    key = (number or "").strip().upper()[:60]
    return key or None


def old_item(quote_request: dict | None, ev: dict | None) -> tuple[str | None, str | None]:
    """The old item's kind (the quote's `trade_in.kind`) and device hash of a purchase."""
    trade_in = (quote_request or {}).get("trade_in")
    kind = trade_in.get("kind") if isinstance(trade_in, dict) else None
    return (kind if isinstance(kind, str) and kind else None), (ev or {}).get("old_device_hash") or None


def slots(voucher: dict, old_kind: str | None, old_device_hash: str | None) -> tuple[int, ...]:
    """The positions of the voucher's items the old item can be (see the module docstring)."""
    items = voucher.get("items") or ()
    if voucher["status"] != "verified" or not items:
        return (0,)
    if old_device_hash:
        for n, (_, device_hash) in enumerate(items):
            if device_hash == old_device_hash:
                return (n,)
    if not old_kind:
        return tuple(range(len(items)))
    kinds = _KIND_ALIASES.get(old_kind, {old_kind})
    return tuple(n for n, (kind, _) in enumerate(items) if kind in kinds)


def _backing(voucher: dict, old_kind: str | None = None, old_device_hash: str | None = None) -> Backing | None:
    key = normalise(voucher["voucher_no"])
    if key is None:
        return None
    return Backing(key, voucher["voucher_id"], voucher["order_id"], _FIELDS[voucher["via"] or "number"],
                   slots(voucher, old_kind, old_device_hash))


def voucher_of(session: Session, ev: dict, order_id=None, recycler_name: str | None = None) -> dict:
    """The old item's voucher of a purchase from its masked evidence (see evidence.recycling_voucher)."""
    return evidence.recycling_voucher(session, voucher_no=ev.get("recycling_voucher_no"), recycler_name=recycler_name,
                                      order_id=order_id, old_device_hash=ev.get("old_device_hash"))


def backing(session: Session, ev: dict, order_id=None, quote_request: dict | None = None) -> Backing | None:
    """The voucher a sale rests on (None when it names none), with the items its old item (from
    `quote_request`'s trade-in and the evidence's old device) can be."""
    return _backing(voucher_of(session, ev, order_id), *old_item(quote_request, ev))


def _backing_of(session: Session, r: Reservation) -> Backing | None:
    return backing(session, r.evidence or {}, r.order_id, r.quote_request)


def _holding():
    """Reservations that spend their voucher: active, or clawed back with the buyer's slot kept."""
    return or_(Reservation.status.in_([S.RESERVED, S.REDEEMED]),
               and_(Reservation.status == S.CLAWED_BACK, Reservation.slot_consumed.is_(True)))


def _held(key: str):
    return select(VoucherClaim.reservation_id, VoucherClaim.item_slot).where(VoucherClaim.voucher_key == key,
                                                                             VoucherClaim.freed_at.is_(None))


def _used(b: Backing) -> Conflict:
    return Conflict("this recycling voucher already backs another subsidised purchase", code="voucher_already_used",
                    fields={b.field: ["Every old item of this kind on this recycling voucher already backs "
                                      "another subsidised purchase."]})


def _other_item(b: Backing) -> Conflict:
    return Conflict("this recycling voucher lists no old item of the kind traded in", code="voucher_other_item",
                    fields={b.field: ["This recycling voucher lists no old item of the kind traded in."]})


def _unclaimed_order_purchases(session: Session, b: Backing, order_id) -> list[tuple[Reservation, Backing]]:
    """The reservations of the order the voucher's pickup was booked for (unless that is the
    purchase's own order) that rest on it without holding a claim: reserved before it was issued."""
    if b.order_id is None or b.order_id == order_id:
        return []
    claimed = select(VoucherClaim.reservation_id).where(VoucherClaim.voucher_key == b.key,
                                                        VoucherClaim.freed_at.is_(None))
    found = session.scalars(select(Reservation).where(Reservation.order_id == b.order_id, _holding(),
                                                      Reservation.id.not_in(claimed))
                            .order_by(Reservation.reserved_at, Reservation.id))
    return [(o, ob) for o in found if (ob := _backing_of(session, o)) is not None and ob.key == b.key]


def check(session: Session, b: Backing | None, *, order_id=None) -> None:
    """Refuse a voucher that lists no item the old item can be (409 `voucher_other_item`), or
    whose every such item another purchase already rests on (409 `voucher_already_used`)."""
    if b is None:
        return
    if not b.slots:
        raise _other_item(b)
    taken = {slot for _, slot in session.execute(_held(b.key))}
    for _, ob in _unclaimed_order_purchases(session, b, order_id):
        taken.update(next(([s] for s in ob.slots if s not in taken), []))
    if taken.issuperset(b.slots):
        raise _used(b)


def _insert(session: Session, r: Reservation, b: Backing, slot: int) -> bool:
    """Hold item `slot` of the voucher for `r`; False when a held claim has it. On PostgreSQL the
    insert waits for a racing transaction holding the same item and does nothing if that one commits."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (insert(VoucherClaim)
            .values(id=uuid.uuid4(), voucher_key=b.key, item_slot=slot, voucher_id=b.voucher_id,
                    reservation_id=r.id, claimed_at=clock.now(session))
            .on_conflict_do_nothing(index_elements=["voucher_key", "item_slot"], index_where=text("freed_at IS NULL"))
            .returning(VoucherClaim.id))
    return session.execute(stmt).scalar() is not None


def claim(session: Session, reservation: Reservation, b: Backing | None) -> None:
    """Hold the first free item of the voucher the old item can be for `reservation` (flushed),
    or raise 409 `voucher_other_item` (none can be) or `voucher_already_used` (concurrent or
    earlier reservations hold them all). The reservation of the order the voucher's pickup was
    booked for, reserved before it was issued, is given its item first."""
    if b is None:
        return
    for o, ob in _unclaimed_order_purchases(session, b, reservation.order_id):
        for slot in ob.slots:
            # Read again before each try: a racing till may have just given it one.
            if session.scalar(_held(b.key).where(VoucherClaim.reservation_id == o.id).limit(1)) is not None:
                break
            if _insert(session, o, ob, slot):
                break
    if not b.slots:
        raise _other_item(b)
    if not any(_insert(session, reservation, b, slot) for slot in b.slots):
        raise _used(b)


def free(session: Session, reservation: Reservation) -> None:
    """The reservation no longer spends its voucher's item (released, or a return the programme lets go)."""
    session.execute(update(VoucherClaim)
                    .where(VoucherClaim.reservation_id == reservation.id, VoucherClaim.freed_at.is_(None))
                    .values(freed_at=clock.now(session)).execution_options(synchronize_session=False))


# --- the export's check ---------------------------------------------------------------------

def conflict(session: Session, r: Reservation, voucher: dict, old_kind: str | None) -> str | None:
    """The fraud signal of a purchase's voucher (`voucher` from `voucher_of`), or None:
    `voucher_reused` (more purchases that spend it rest on the voucher than it lists items they
    can be, and this is one competing for them), `voucher_other_person` (a verified voucher of
    someone other than the buyer) or `voucher_other_item` (a verified voucher listing no item
    the old item can be)."""
    b = _backing(voucher, old_kind, (r.evidence or {}).get("old_device_hash") or None)
    if b is None:
        return None
    if _reused(session, r, voucher, b):
        return "voucher_reused"
    if voucher["status"] != "verified":
        return None
    if _other_person(session, r, voucher["consumer_id"]):
        return "voucher_other_person"
    if not b.slots:
        return "voucher_other_item"
    return None


def _reused(session: Session, r: Reservation, voucher: dict, b: Backing) -> bool:
    """Give every purchase resting on the voucher one of the items it can be: held claims keep
    theirs, the others take free ones, fewest choices first (then oldest). `r` is reused when it
    is left without one, or holds one that a purchase left without one could have been."""
    held = dict(session.execute(_held(b.key)).all())
    # Purchases that may rest on it without a claim: by the number typed, the order, the old device.
    number = func.upper(func.trim(Reservation.evidence["recycling_voucher_no"].as_string()))
    maybe = [number == b.key]
    if voucher["order_id"] is not None:
        maybe.append(Reservation.order_id == voucher["order_id"])
    if voucher["device_hashes"]:
        maybe.append(Reservation.evidence["old_device_hash"].as_string().in_(sorted(voucher["device_hashes"])))
    others = session.scalars(select(Reservation).where(Reservation.id != r.id, _holding(), or_(*maybe)))
    pending = [(o, ob.slots) for o in others if o.id not in held
               and (ob := _backing_of(session, o)) is not None and ob.key == b.key]
    if r.id not in held:
        pending.append((r, b.slots))
    taken, left_out = set(held.values()), []
    for o, choices in sorted(pending, key=lambda p: (len(p[1]), p[0].reserved_at, str(p[0].id))):
        slot = next((s for s in choices if s not in taken), None)
        if slot is not None:
            taken.add(slot)
            held[o.id] = slot
        elif choices:
            left_out.append(choices)
    if not left_out:
        return False
    if r.id not in held:
        return bool(b.slots)
    return any(held[r.id] in choices for choices in left_out)


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
