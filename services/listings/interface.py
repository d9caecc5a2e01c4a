"""What other domains use of listings' vocabulary (models they join on are in
services.listings.models): which kinds exist, which hold personal data, identifier checks."""
from __future__ import annotations

from services.listings.validation import (APPLIANCE_KINDS, ELECTRONICS_KINDS, EMISSION_STANDARDS, IMEI_KINDS,
                                          identifier_errors, stores_personal_data)

__all__ = ["APPLIANCE_KINDS", "ELECTRONICS_KINDS", "EMISSION_STANDARDS", "IMEI_KINDS", "identifier_errors",
           "stores_personal_data"]
