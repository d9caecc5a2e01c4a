"""Inbound webhooks from payment providers (the edge: verify, parse, hand to services)."""
