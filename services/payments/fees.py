"""The platform fee and the seller's share, in integer fen. Pure functions."""
from __future__ import annotations

MAX_FEE_BPS = 10_000


def fee(amount_fen: int, fee_bps: int) -> int:
    """The platform's fee on `amount_fen`, rounded half up to the fen; never more than the amount."""
    if amount_fen < 0 or not 0 <= fee_bps <= MAX_FEE_BPS:
        raise ValueError("amount must be >= 0 and fee_bps in 0..10000")
    return (amount_fen * fee_bps + 5_000) // 10_000


def seller_share(amount_fen: int, fee_bps: int) -> int:
    """What the seller receives from `amount_fen` kept by the platform."""
    return amount_fen - fee(amount_fen, fee_bps)


def reversal_due(paid_out_fen: int, captured_fen: int, refunded_fen: int, fee_bps: int) -> int:
    """How much of a transfer already paid to the seller must come back after refunds: the seller
    keeps exactly their share of what the buyer finally paid."""
    kept = max(captured_fen - refunded_fen, 0)
    return max(paid_out_fen - seller_share(kept, fee_bps), 0)
