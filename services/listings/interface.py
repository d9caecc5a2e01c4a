"""What other domains use of listings' vocabulary (models they join on are in
services.listings.models): which kinds exist, which hold personal data, identifier checks; reading a
listing and who may see or manage it; reserving, releasing and selling it (atomic conditional
UPDATEs: Conflict when not available); the checks a photo passes (`sanitise_photo`); the
`PublishGate` protocol that publish gates implement."""
from __future__ import annotations

from services.listings.gates import PublishGate
from services.listings.photos import sanitise as sanitise_photo
from services.listings.service import can_manage, can_view, get, mark_sold, release, reserve
from services.listings.validation import (APPLIANCE_KINDS, ELECTRONICS_KINDS, EMISSION_STANDARDS, IMEI_KINDS,
                                          identifier_errors, stores_personal_data)

__all__ = ["APPLIANCE_KINDS", "ELECTRONICS_KINDS", "EMISSION_STANDARDS", "IMEI_KINDS", "PublishGate", "can_manage",
           "can_view", "get", "identifier_errors", "mark_sold", "release", "reserve", "sanitise_photo",
           "stores_personal_data"]
