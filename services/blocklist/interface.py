"""What other domains use of the blocklist: the publish gate that refuses a listing of a blocked
device (the publishing flow) and the device checks of trade-ins (`find`, `refuse_if_blocked`)."""
from __future__ import annotations

from services.blocklist.gates import refuse_blocked_listing
from services.blocklist.service import find, refuse_if_blocked

__all__ = ["find", "refuse_blocked_listing", "refuse_if_blocked"]
