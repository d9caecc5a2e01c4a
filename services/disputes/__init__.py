"""Disputes: buyer complaints within the acceptance window, and card chargebacks."""
