"""Seller standing: the small per-user row behind the profile and the seller summary on listings
(models.py), kept current from the domains that change it (service.py)."""
