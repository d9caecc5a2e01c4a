"""Orders: a buyer buys a listing; the state machine from placement to completion or refund."""
