"""Tills racing with one recycling voucher end with one reservation per old item it lists
(PostgreSQL: threads, one session each; the partial unique index on held voucher claims, keyed
by voucher and item, decides, the losers get 409 `voucher_already_used` and hold nothing)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.accounts.models import Role
from services.subsidies import pools, reservations, sales, vouchers
from services.subsidies.models import BudgetPool, Reservation, ReservationStatus, VoucherClaim
from tests.factories.accounts import make_user
from tests.factories.pickups import fridge
from tests.factories.subsidies import PHONE_SUBSIDY, ac_quote, reserve_at_once, resident_id, sale_payload
from tests.factories.recycling_vouchers import book, collect

SPELLINGS = ("RV20250610ABCD2345", "rv20250610abcd2345", " RV20250610ABCD2345 ", "Rv20250610AbCd2345")


def _sales(session, n: int, budget_fen: int):
    """`n` till sales of different buyers at four retailers, all recording one voucher (spelt
    four ways), and one sale recording another voucher."""
    operator = make_user(session, Role.OPERATOR)
    pool = pools.create_pool(session, operator.id, "CN-2025-digital", "110000", budget_fen)
    tills = [make_user(session, Role.RETAILER) for _ in range(4)]
    ids = []
    for i in range(n):
        body = sale_payload(buyer=resident_id(500 + i), old_item={"recycling_voucher_no": SPELLINGS[i % 4]})
        ids.append(sales.create_sale(session, tills[i % 4].user, body).id)
    other = sale_payload(buyer=resident_id(499), old_item={"recycling_voucher_no": "RV20250610ZZZZ2345"})
    ids.append(sales.create_sale(session, tills[0].user, other).id)
    session.commit()
    return pool.id, ids


@pytest.mark.parametrize("early_check", [True, False], ids=["as-is", "index-alone"])
def test_32_tills_racing_with_one_voucher_get_one_reservation(app, session, monkeypatch, early_check):
    if not early_check:   # the read check before the work is a courtesy: the index alone decides
        monkeypatch.setattr(vouchers, "check", lambda *a, **kw: None)
    pool_id, sale_ids = _sales(session, 32, 100 * PHONE_SUBSIDY)
    assert app.extensions["db"].engine.dialect.name == "postgresql"
    outcomes = reserve_at_once(app, session, sale_ids)
    assert outcomes.count("ok") == 2                      # one on the shared voucher, the other sale
    assert outcomes.count("voucher_already_used") == 31 and set(outcomes) == {"ok", "voucher_already_used"}
    session.expire_all()
    assert session.get(BudgetPool, pool_id).reserved_fen == 2 * PHONE_SUBSIDY   # the losers hold nothing
    assert session.scalar(select(func.count(Reservation.id))) == 2
    held = session.scalars(select(VoucherClaim.voucher_key).where(VoucherClaim.freed_at.is_(None))).all()
    assert sorted(held) == ["RV20250610ABCD2345", "RV20250610ZZZZ2345"]


def test_a_released_voucher_is_raced_for_again_and_a_clawed_back_one_is_not(app, session):
    pool_id, sale_ids = _sales(session, 8, 100 * PHONE_SUBSIDY)
    shared, rest = sale_ids[:8], sale_ids[8:]
    first = reservations.reserve(session, reservations.sale_facts(session, session.get(sales.TillSale, shared[0])))
    session.commit()
    reservations.release(session, first.id, reason="undone at the till")
    session.commit()
    outcomes = reserve_at_once(app, session, shared[1:] + rest)
    assert outcomes.count("ok") == 2 and outcomes.count("voucher_already_used") == 6
    session.expire_all()
    [winner] = session.scalars(select(Reservation).where(Reservation.sale_id.in_(shared[1:]))).all()
    reservations.redeem(session, winner.id)
    reservations.clawback(session, winner.id, reason="退货")
    session.commit()
    assert winner.status == ReservationStatus.CLAWED_BACK and winner.slot_consumed
    outcomes = reserve_at_once(app, session, [shared[0]] + [s for s in shared[1:] if s != winner.sale_id])
    assert set(outcomes) == {"voucher_already_used"}
    session.expire_all()
    assert session.get(BudgetPool, pool_id).reserved_fen == PHONE_SUBSIDY     # the other voucher's sale


AC_ITEM, WASHER_ITEM = ({"category": "appliance", "kind": k} for k in ("air_conditioner", "washing_machine"))
FRIDGE_QUOTE, WASHER_QUOTE = ({"region": "141100", "date": "2025-06-01",
                               "purchase": {"kind": k, "price_fen": 300000, "energy_grade": 1},
                               "trade_in": {"kind": k, "handed_in": True}} for k in ("refrigerator", "washing_machine"))


@pytest.mark.parametrize("early_check", [True, False], ids=["as-is", "index-alone"])
@pytest.mark.parametrize("items, quotes, kinds", [
    ([AC_ITEM, AC_ITEM], [ac_quote()], ["air_conditioner", "air_conditioner"]),
    ([fridge(), WASHER_ITEM], [FRIDGE_QUOTE, WASHER_QUOTE], ["refrigerator", "washing_machine"]),
], ids=["two-air-conditioners", "fridge-and-washing-machine"])
def test_16_tills_racing_for_a_two_item_voucher_get_two_reservations(app, client, session, recycler, voucher_offer,
                                                                     monkeypatch, early_check, items, quotes, kinds):
    if not early_check:
        monkeypatch.setattr(vouchers, "check", lambda *a, **kw: None)
    owner = make_user(session, Role.CONSUMER)
    number = collect(client, recycler, book(client, owner, voucher_offer, items), voucher_offer["facility"]["id"])["number"]
    operator = make_user(session, Role.OPERATOR)
    pool = pools.create_pool(session, operator.id, "CN-2025-appliance", "140000", 100_000_000)
    tills = [make_user(session, Role.RETAILER) for _ in range(4)]
    sale_ids = [sales.create_sale(session, tills[i % 4].user, sale_payload(
        quote=quotes[i % len(quotes)], buyer=resident_id(700 + i),
        old_item={"recycling_voucher_no": number if i % 3 else f" {number.lower()}"})).id for i in range(16)]
    session.commit()
    outcomes = reserve_at_once(app, session, sale_ids)
    assert outcomes.count("ok") == 2 and outcomes.count("voucher_already_used") == 14, outcomes
    session.expire_all()
    won = session.scalars(select(Reservation)).all()
    assert sorted(r.kind for r in won) == kinds                    # a fridge and a washing machine: one of each
    assert session.get(BudgetPool, pool.id).reserved_fen == sum(r.total_fen for r in won)
    held = session.execute(select(VoucherClaim.voucher_key, VoucherClaim.item_slot, VoucherClaim.reservation_id)
                           .where(VoucherClaim.freed_at.is_(None))).all()
    assert sorted((key, slot) for key, slot, _ in held) == [(number, 0), (number, 1)]
    assert {rid for _, _, rid in held} == {r.id for r in won}
