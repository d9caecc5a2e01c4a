"""Conversations between a buyer and a seller about one listing (see service.py)."""
