"""Offers on negotiable listings: offer, counter, accept (becomes an order), decline, expire."""
