import pytest
from hypothesis import given, strategies as st

from services.payments import fees


@pytest.mark.parametrize("amount,bps,fee", [
    (280000, 500, 14000), (1, 500, 0), (10, 500, 1), (9, 500, 0), (100, 0, 0), (100, 10000, 100),
    (12345, 250, 309),  # 308.625 rounds half up to 309
])
def test_fee_in_basis_points_rounds_half_up(amount, bps, fee):
    assert fees.fee(amount, bps) == fee
    assert fees.seller_share(amount, bps) == amount - fee


@pytest.mark.parametrize("amount,bps", [(-1, 500), (100, -1), (100, 10001)])
def test_fee_rejects_nonsense(amount, bps):
    with pytest.raises(ValueError):
        fees.fee(amount, bps)


@given(st.integers(0, 10**12), st.integers(0, 10000))
def test_fee_and_share_add_up_and_stay_in_range(amount, bps):
    f = fees.fee(amount, bps)
    assert 0 <= f <= amount and f + fees.seller_share(amount, bps) == amount


def test_reversal_gives_back_the_sellers_share_of_what_was_refunded():
    paid = fees.seller_share(100000, 500)                       # 95000 transferred
    assert fees.reversal_due(paid, 100000, 0, 500) == 0
    assert fees.reversal_due(paid, 100000, 20000, 500) == 19000  # seller keeps 76000 of 80000
    assert fees.reversal_due(paid, 100000, 100000, 500) == paid
