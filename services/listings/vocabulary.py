"""The vocabulary of listing attributes: kinds, powertrains, emission standards, and which kinds
carry which identifiers. Plain data shared by the declarations (attributes.py) and the rules
(validation.py, which re-exports these names for the domains that import them from there)."""
from __future__ import annotations

VEHICLE_POWERTRAINS = ("gasoline", "diesel", "hybrid", "bev", "phev", "erev", "fcev")
EMISSION_STANDARDS = ("china_1", "china_2", "china_3", "china_4", "china_5", "china_6a", "china_6b")
APPLIANCE_KINDS = ("refrigerator", "washing_machine", "television", "air_conditioner", "computer",
                   "water_heater", "cooktop", "range_hood", "microwave_oven", "water_purifier",
                   "dishwasher", "rice_cooker", "other")
WATER_GRADED = ("washing_machine", "dishwasher", "water_purifier", "water_heater")
ELECTRONICS_KINDS = ("mobile_phone", "tablet", "laptop", "desktop", "smartwatch", "smart_glasses",
                     "camera", "storage_drive", "game_console", "other")
IMEI_KINDS = ("mobile_phone", "tablet", "smartwatch")
# Which electronics hold personal data (issue 13): these always do (accounts, photos, messages,
# saved logins), so they are listed with their identifier and sold only with a wipe certificate.
DATA_BEARING_KINDS = ("mobile_phone", "tablet", "smartwatch", "laptop", "desktop", "storage_drive",
                      "game_console")
# These may or may not have storage of their own (a camera body without internal memory, smart
# glasses without a camera, a keyboard listed as `other`): data-bearing unless the seller declares
# `has_storage: false`.
DECLARABLE_KINDS = ("camera", "smart_glasses", "other")
# Cellular devices are identified by IMEI; a tablet or watch without a modem has none.
IMEI_REQUIRED_KINDS = ("mobile_phone",)
