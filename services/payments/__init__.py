"""Payments: the gateway boundary (Stripe, offline cash), payments held until acceptance,
refunds, seller accounts and payouts, and the Stripe webhook handlers."""
