"""Public profiles: what a buyer may see of the person they deal with (see service.py)."""
