"""Flows that need more than one domain, orchestrated here instead of through a cycle.

A domain (`services/<domain>/`) never calls a domain above it. When one step of a flow belongs
to a lower domain and the next to a higher one, the flow lives here and calls both, or passes
the higher domain's behaviour down as a typed port (a Protocol argument). `.importlinter`
keeps this package above every domain; nothing in `services/<domain>/` imports it.
"""
