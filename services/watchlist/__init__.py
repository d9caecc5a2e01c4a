"""Favourites and saved searches, with their alerts (see service.py)."""
