"""Operator-kept blocklist of lost, stolen and fraudulent devices."""
