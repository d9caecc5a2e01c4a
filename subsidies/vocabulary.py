"""The closed vocabularies the quote contract and the programme files share.

Everything here is part of the public contract of `POST /api/v1/subsidies/quote`:
renaming a value breaks clients and programme files alike.
"""
from __future__ import annotations

KIND_CATEGORY: dict[str, str] = {
    "refrigerator": "appliance",
    "washing_machine": "appliance",
    "television": "appliance",
    "air_conditioner": "appliance",
    "computer": "appliance",  # PCs sit in the appliance line, not digital [S24][S26]
    "water_heater": "appliance",
    "cooktop": "appliance",
    "range_hood": "appliance",
    "microwave_oven": "appliance",
    "water_purifier": "appliance",
    "dishwasher": "appliance",
    "rice_cooker": "appliance",
    "mobile_phone": "digital",
    "tablet": "digital",
    "smartwatch": "digital",
    "smart_glasses": "digital",
    "passenger_car": "vehicle",
    # Car parts: 以旧换再 pays for a remanufactured engine or gearbox bought with the old one
    # handed in (the 2015 pilot covered these two only).
    "car_engine": "auto_part",
    "car_gearbox": "auto_part",
}
KINDS = frozenset(KIND_CATEGORY)
CATEGORIES = frozenset(KIND_CATEGORY.values())

KIND_NAMES: dict[str, tuple[str, str]] = {
    "refrigerator": ("冰箱", "refrigerator"),
    "washing_machine": ("洗衣机", "washing machine"),
    "television": ("电视", "television"),
    "air_conditioner": ("空调", "air conditioner"),
    "computer": ("电脑", "computer"),
    "water_heater": ("热水器", "water heater"),
    "cooktop": ("家用灶具", "cooktop"),
    "range_hood": ("吸油烟机", "range hood"),
    "microwave_oven": ("微波炉", "microwave oven"),
    "water_purifier": ("净水器", "water purifier"),
    "dishwasher": ("洗碗机", "dishwasher"),
    "rice_cooker": ("电饭煲", "rice cooker"),
    "mobile_phone": ("手机", "mobile phone"),
    "tablet": ("平板", "tablet"),
    "smartwatch": ("智能手表(手环)", "smartwatch or band"),
    "smart_glasses": ("智能眼镜", "smart glasses"),
    "passenger_car": ("乘用车", "passenger car"),
    "car_engine": ("汽车发动机", "car engine"),
    "car_gearbox": ("汽车变速箱", "car gearbox"),
}

NEV_POWERTRAINS = frozenset({"bev", "phev", "erev", "fcev"})
# "other_fuel": natural gas, LPG and the like; the car notices group them with diesel
# ("柴油及其他燃料"). A non-plug-in hybrid burns gasoline and takes the gasoline dates.
POWERTRAINS = frozenset({"gasoline", "diesel", "hybrid", "other_fuel"}) | NEV_POWERTRAINS
DISPOSALS = frozenset({"scrap", "transfer"})
SCHEMES = frozenset({"scrappage", "replacement"})
# Ordered oldest to newest so that "国五及以下" is `le china_5`.
EMISSION_STANDARDS = ("china_1", "china_2", "china_3", "china_4", "china_5", "china_6a", "china_6b")
EMISSION_RANK = {name: i for i, name in enumerate(EMISSION_STANDARDS)}

# Mainland province-level prefixes of GB/T 2260. Hong Kong, Macao and Taiwan are
# outside every trade-in programme, so the engine treats them as unknown regions.
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
    "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
    "63", "64", "65",
})

# Field types for programme conditions. `*` marks values derived from the request.
FIELD_TYPES: dict[str, str] = {
    "region": "region",
    "date": "date",
    "application_date": "date",
    "purchase.kind": "kind",
    "purchase.price_fen": "fen",
    "purchase.list_price_fen": "fen",
    "purchase.discounts_fen": "fen",
    "purchase.energy_grade": "grade",
    "purchase.water_grade": "grade",
    "purchase.grade": "grade",  # * best of energy and water grade
    "purchase.powertrain": "powertrain",
    "purchase.is_nev": "bool",  # *
    "purchase.displacement_l": "decimal",
    "purchase.in_purchase_tax_exemption_catalog": "bool",
    "purchase.bare_price_fen": "fen",
    "purchase.registration_date": "date",
    "purchase.registered_in": "region",
    "purchase.registered_in_same_province": "bool",  # * registered_in shares the province of region
    "trade_in.present": "bool",  # * something is handed in or sold
    "trade_in.kind": "kind",
    "trade_in.handed_in": "bool",
    "trade_in.disposal": "disposal",
    "trade_in.powertrain": "powertrain",
    "trade_in.is_nev": "bool",  # *
    "trade_in.emission_standard": "emission",
    "trade_in.first_registration_date": "date",
    "trade_in.registered_to_applicant_since": "date",
    "trade_in.registered_in": "region",
    "trade_in.scrap_certificate_date": "date",
    "trade_in.deregistration_date": "date",
    "trade_in.transfer_date": "date",
    # 以旧换再 (remanufactured parts for an old part handed in)
    "purchase.remanufactured": "bool",  # sold as 再制造 (marked as such)
    "purchase.new_price_fen": "fen",  # the price of the same part new (原型新品)
    "purchase.in_remanufacturing_pilot_catalogue": "bool",  # enterprise and model on the pilot list
    "purchase.has_cma_test_report": "bool",  # CMA-accredited third-party performance report
    "purchase.exchange_price_fen": "fen",  # * price minus the old part's recovery price
    "purchase.exchange_share_of_new": "decimal",  # * exchange price / new price
    "purchase.warranty_at_least_new": "bool",  # * warranty_months >= new_warranty_months
    "trade_in.core_recovery_price_fen": "fen",  # what the old part (旧件) is credited at
}

# Derived fields name the contract field a client must send to supply them (the first one of a
# tuple that the request lacks).
DERIVED_FROM: dict[str, str | tuple[str, ...]] = {
    "purchase.grade": "purchase.energy_grade",
    "purchase.is_nev": "purchase.powertrain",
    "trade_in.is_nev": "trade_in.powertrain",
    "trade_in.present": "trade_in",
    "purchase.registered_in_same_province": "purchase.registered_in",
    "purchase.exchange_price_fen": "trade_in.core_recovery_price_fen",
    "purchase.exchange_share_of_new": ("trade_in.core_recovery_price_fen", "purchase.new_price_fen"),
    "purchase.warranty_at_least_new": ("purchase.warranty_months", "purchase.new_warranty_months"),
}

ENUMS: dict[str, frozenset[str]] = {
    "kind": KINDS,
    "powertrain": POWERTRAINS,
    "disposal": DISPOSALS,
    "emission": frozenset(EMISSION_STANDARDS),
}
