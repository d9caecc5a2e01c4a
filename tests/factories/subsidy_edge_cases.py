"""Edge cases of issue 14, held apart from the main rules table: each cut-off date and the day
after, each fuel type, the Shanghai price floor, the first and last day of each changed window,
local starts, dates no programme covers and Shenzhen's rounding up.

Every amount was worked out by hand from the notices (../shared/domain/subsidies.md §1.5, §2),
not by running the engine: e.g. 12% of 100,000 = 12,000; 8% of 100,000.01 = 8,000.0008, which
Shenzhen rounds up to 8,001. Expectations use the vocabulary of subsidy_cases.py; the test is
tests/unit/subsidies/test_rules_edges.py.
"""
from __future__ import annotations

from tests.factories.subsidy_cases import (
    A24, A25, A26, D25, SH, SH25, SX, V26R, V26S, NoProgramme, Invalid, Pays, Refuses,
)
from tests.factories.subsidy_requests import appliance, car, digital

BJ, TJ, SZ, GZ, NJ, TY = "110105", "120101", "440305", "440106", "320102", "140105"
SZ26 = "SZ-2026-vehicle-replacement"
XZ = "§1.5 2026 细则 [XZ26]"                 # the old car's registration cut-offs (含当日)
SUM = "§1.5 secondary summaries of the 细则 [XZ26-SUM]"
HS = "§1.5 沪商市场〔2025〕112号/284号 [HS112][S55]"


def scrap26(first_registration: str, old: str = "gasoline", **kw):
    """Scrap an old car in Beijing on 2026-03-01 and buy a 100,000 yuan catalogue NEV."""
    kw.setdefault("date", "2026-03-01")
    date = kw.pop("date")
    return car(date, kw.pop("price", 100000), old=old, first_registration=first_registration, **kw)


def replace26(region: str = BJ, price: float = 100000, **kw):
    """Sell an old car (registered to the buyer in 2015) on 2026-03-01 and buy a new one."""
    date = kw.pop("date", "2026-03-01")
    return car(date, price, region=region, disposal="transfer", **kw)


def sh25(price: float, date: str = "2025-06-01", **kw):
    """Shanghai 2025 replacement: sell a Shanghai-registered car, buy a catalogue NEV."""
    kw.setdefault("transfer_date", "2025-05-01")
    if date >= "2025-09-11":
        kw.setdefault("registered_in", "310115")
    return car(date, price, region=SH, disposal="transfer", **kw)


V26S_12K = Pays(V26S, "scrap-nev", 1200000, "RATE")   # 12% of 100,000

EDGE_CASES = [
    # --- 1. 2026 scrappage: the old car's first registration, every fuel type (含当日) ---
    ("e-v26s-gasoline-cutoff-day", f"{XZ} gasoline registered on or before 2013-06-30",
     scrap26("2013-06-30"), V26S_12K),
    ("e-v26s-gasoline-day-after", f"{XZ} gasoline registered 2013-07-01 is too new",
     scrap26("2013-07-01"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-hybrid-cutoff-day", f"{XZ} a non-plug-in hybrid burns gasoline: 2013-06-30",
     scrap26("2013-06-30", old="hybrid"), V26S_12K),
    ("e-v26s-hybrid-day-after", f"{XZ} hybrid registered 2013-07-01 is too new",
     scrap26("2013-07-01", old="hybrid"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-gasoline-not-diesel-date", f"{XZ} the diesel date does not extend to gasoline",
     scrap26("2015-06-30"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-diesel-cutoff-day", f"{XZ} diesel registered on or before 2015-06-30",
     scrap26("2015-06-30", old="diesel"), V26S_12K),
    ("e-v26s-diesel-day-after", f"{XZ} diesel registered 2015-07-01 is too new",
     scrap26("2015-07-01", old="diesel"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-other-fuel-cutoff-day", f"{XZ} other fuels (gas) on or before 2015-06-30",
     scrap26("2015-06-30", old="other_fuel"), V26S_12K),
    ("e-v26s-other-fuel-day-after", f"{XZ} other fuels registered 2015-07-01 are too new",
     scrap26("2015-07-01", old="other_fuel"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-bev-cutoff-day", f"{XZ} NEV registered on or before 2019-12-31",
     scrap26("2019-12-31", old="bev"), V26S_12K),
    ("e-v26s-bev-day-after", f"{XZ} NEV registered 2020-01-01 is too new",
     scrap26("2020-01-01", old="bev"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-phev-cutoff-day", f"{XZ} a plug-in hybrid is an NEV: 2019-12-31",
     scrap26("2019-12-31", old="phev"), V26S_12K),
    ("e-v26s-erev-day-after", f"{XZ} a range extender is an NEV: 2020-01-01 is too new",
     scrap26("2020-01-01", old="erev"), Refuses(V26S, "OLD_VEHICLE_TOO_NEW")),
    ("e-v26s-diesel-for-fuel-car", f"{XZ} scrap diesel (2015-06-30), buy a 1.5 L car of 120,000: 10% = 12,000",
     scrap26("2015-06-30", old="diesel", price=120000, powertrain="gasoline"),
     Pays(V26S, "scrap-fuel", 1200000)),
    ("e-v26s-old-nev-for-fuel-car", f"{XZ} scrapping an NEV to buy a fuel car is not subsidised",
     scrap26("2019-01-01", old="bev", powertrain="gasoline"), Refuses(V26S, "OLD_NEV_FOR_FUEL_CAR")),

    # --- 2. 2026 ownership, document dates, same province (secondary, switchable) ---
    ("e-v26s-owned-day-before", f"{SUM} registered to the applicant before 2025-01-08",
     scrap26("2010-01-01", owned_since="2025-01-07"), V26S_12K),
    ("e-v26s-owned-on-cutoff", f"{SUM} registered to the applicant on 2025-01-08 is too late",
     scrap26("2010-01-01", owned_since="2025-01-08"), Refuses(V26S, "OWNERSHIP_TOO_RECENT")),
    ("e-v26r-owned-day-before", f"{SUM} transferred car registered to the applicant 2025-01-07: 8% of 100,000",
     replace26(owned_since="2025-01-07"), Pays(V26R, "replace-nev", 800000)),
    ("e-v26r-owned-on-cutoff", f"{SUM} transferred car registered to the applicant 2025-01-08",
     replace26(owned_since="2025-01-08"), Refuses(V26R, "OWNERSHIP_TOO_RECENT")),
    ("e-v26s-scrap-certificate-2025", f"{SUM} scrap certificate dated 2025-12-31",
     scrap26("2010-01-01", scrap_certificate_date="2025-12-31"), Refuses(V26S, "EVIDENCE_DATE_OUT_OF_RANGE")),
    ("e-v26s-scrap-certificate-2026", f"{SUM} scrap certificate dated 2026-01-01",
     scrap26("2010-01-01", scrap_certificate_date="2026-01-01"), V26S_12K),
    ("e-v26s-deregistration-2025", f"{SUM} deregistration certificate dated 2025-12-31",
     scrap26("2010-01-01", deregistration_date="2025-12-31"), Refuses(V26S, "EVIDENCE_DATE_OUT_OF_RANGE")),
    ("e-v26s-deregistration-2026", f"{SUM} deregistration certificate dated 2026-01-01",
     scrap26("2010-01-01", deregistration_date="2026-01-01"), V26S_12K),
    ("e-v26r-registration-certificate-2025", f"{SUM} new car's registration certificate dated 2025-12-31",
     replace26(date="2026-01-01", registration_date="2025-12-31"),
     Refuses(V26R, "EVIDENCE_DATE_OUT_OF_RANGE")),
    ("e-v26r-registration-certificate-2026", f"{SUM} registration certificate and invoice dated 2026-01-01",
     replace26(date="2026-01-01", registration_date="2026-01-01"), Pays(V26R, "replace-nev", 800000)),
    ("e-v26s-registered-other-province", f"{SUM} bought in Beijing, registered in Tianjin",
     scrap26("2010-01-01", registered_in=TJ), Refuses(V26S, "REGISTRATION_PROVINCE_MISMATCH")),
    ("e-v26s-registered-same-province", f"{SUM} bought and registered in Beijing",
     scrap26("2010-01-01", registered_in="110108"), V26S_12K),
    ("e-v26r-same-province-other-city", f"{SUM} bought in Guangzhou, registered in Shenzhen (both 44)",
     replace26(region=GZ, registered_in=SZ), Pays(V26R, "replace-nev", 800000)),

    # --- 3. Shanghai 2025: purchases to 2025-12-31, the 100,000 floor for outside cars ---
    ("e-sh25-last-day", f"{HS} a purchase on 2025-12-31 gets the fixed 15,000",
     sh25(150000, "2025-12-31", transfer_date="2025-12-31"), Pays(SH25, "nev", 1500000, "FIXED")),
    ("e-sh25-day-after-is-national", f"{HS} a Shanghai purchase on 2026-01-01 gets 8% of 150,000 = 12,000",
     sh25(150000, "2026-01-01", transfer_date="2025-12-31"), Pays(V26R, "replace-nev", 1200000)),
    ("e-sh25-apply-last-day", "§1.4 the policy runs until 2026-03-31 [S14]: applied that day",
     sh25(150000, "2025-12-31", application_date="2026-03-31"), Pays(SH25, "nev", 1500000)),
    ("e-sh25-apply-day-after", "§1.4 the policy runs until 2026-03-31 [S14]: applied 2026-04-01",
     sh25(150000, "2025-12-31", application_date="2026-04-01"), Refuses(SH25, "APPLICATION_OUT_OF_WINDOW")),
    ("e-sh25-floor-exactly", f"{HS} old car from Jiangsu, new car of 100,000: subsidised",
     sh25(100000, old_registered_in=NJ), Pays(SH25, "nev", 1500000)),
    ("e-sh25-floor-minus-one-yuan", f"{HS} old car from Jiangsu, new car of 99,999: below the floor",
     sh25(99999, old_registered_in=NJ), Refuses(SH25, "PRICE_BELOW_FLOOR")),
    ("e-sh25-floor-fuel-car", f"{HS} the floor holds for a fuel car too (13,000 otherwise)",
     sh25(99999, powertrain="gasoline", emission_standard="china_5", old_registered_in=NJ),
     Refuses(SH25, "PRICE_BELOW_FLOOR")),
    ("e-sh25-local-car-below-floor", f"{HS} the floor is only for old cars registered outside Shanghai",
     sh25(99999, old_registered_in="310104"), Pays(SH25, "nev", 1500000)),
    ("e-sh25-floor-needs-old-region", f"{HS} below 100,000 the old car's region decides: a needed field",
     sh25(99999), Invalid("trade_in.registered_in")),

    # --- 4. Local starts (modelled on the region, not as programme copies) ---
    ("e-sh24-appliance-day-before-local-start", "§1.5 Shanghai's 2024 appliance 实施细则 from 2024-09-07 [SH24A]",
     appliance("television", 3000, "2024-09-06", region=SH), Refuses(A24, "NOT_STARTED_LOCALLY")),
    ("e-sh24-appliance-local-start-day", "§1.5/§2.1 Shanghai 2024-09-07: 20% of 3,000 = 600 [SH24A][S20]",
     appliance("television", 3000, "2024-09-07", region=SH), Pays(A24, "grade-1", 60000)),
    ("e-bj24-appliance-same-day", "§2.1 outside Shanghai the national start holds: 2024-09-06 pays [S22]",
     appliance("television", 3000, "2024-09-06"), Pays(A24, "grade-1", 60000)),
    ("e-sh24-appliance-nearest-window", "§1.5 before the local start no programme is in force in Shanghai",
     appliance("television", 3000, "2024-09-06", region=SH), NoProgramme(after=(A24,))),
    ("e-sh25-microwave-day-before", "§2.2 Shanghai's four new categories from 2025-01-20 [S49]",
     appliance("microwave_oven", 800, "2025-01-19", grade=2, region=SH), Refuses(A25, "NOT_STARTED_LOCALLY")),
    ("e-sh25-microwave-first-day", "§2.2 Shanghai microwave 2025-01-20, grade 2: 15% of 800 = 120 [S49][S24]",
     appliance("microwave_oven", 800, "2025-01-20", grade=2, region=SH), Pays(A25, "grade-2", 12000)),
    ("e-sh25-tv-not-delayed", "§2.2 the local start is only for the four new categories [S49]",
     appliance("television", 3000, "2025-01-02", region=SH), Pays(A25, "grade-1", 60000)),

    # --- 5. Dates no programme covers: 200, ineligible, nearest windows ---
    ("e-sx-between-programmes", "§4 Shanxi: 2025 national ended 2025-12-31, Shanxi 2026 from 2026-01-09 [S43]",
     appliance("television", 4000, "2026-01-05", region=TY), NoProgramme(before=(A25,), after=(SX,))),
    ("e-digital-before-first", "§3.1 no digital programme before 2025-01-20 [S29]",
     digital("mobile_phone", 3000, "2025-01-10"), NoProgramme(after=(D25,))),
    ("e-microwave-dropped-2026", "§2.3 microwaves left the national list in 2026 [S45]",
     appliance("microwave_oven", 800, "2026-03-01"), NoProgramme(before=(A25,))),
    ("e-sz-car-after-2026", "§1.5 no car programme after 2026 in Shenzhen",
     car("2027-01-01", 100000, region=SZ), NoProgramme(before=(V26S, SZ26))),
    ("e-tv-last-day-2026", "§2.3 2026-12-31 is still in force [S19]",
     appliance("television", 4000, "2026-12-31"), Pays(A26, "grade-1", 60000)),

    # --- 6. Shenzhen 2026: national rates, rounded up to the whole yuan ---
    ("e-sz26-first-day", "§1.5 Shenzhen 2026-01-01: 8% of 100,000 = 8,000 exactly [SZ26]",
     replace26(region=SZ, date="2026-01-01"), Pays(SZ26, "replace-nev", 800000, "RATE")),
    ("e-sz26-last-day", "§1.5 Shenzhen to 2026-12-31 (national window) [SZ26][S19]",
     replace26(region=SZ, date="2026-12-31"), Pays(SZ26, "replace-nev", 800000)),
    ("e-sz26-round-up-one-fen", "§1.5 8% of 100,000.01 = 8,000.0008 -> up to 8,001 [SZ26]",
     replace26(region=SZ, price=100000.01), Pays(SZ26, "replace-nev", 800100)),
    ("e-gz26-no-round-up", "§0 elsewhere in Guangdong the fen is kept: 8,000.0008 -> 8,000.00 [S19]",
     replace26(region=GZ, price=100000.01), Pays(V26R, "replace-nev", 800000)),
    ("e-sz26-fuel-round-up", "§1.5 6% of 123,456.78 = 7,407.4068 -> 7,408 [SZ26]",
     replace26(region=SZ, price=123456.78, powertrain="gasoline"), Pays(SZ26, "replace-fuel", 740800)),
    ("e-sz26-cap-point", "§1.5 8% of 187,500 = 15,000, the cap [SZ26][S19]",
     replace26(region=SZ, price=187500), Pays(SZ26, "replace-nev", 1500000, "RATE")),
    ("e-sz26-cap-after-rounding", "§1.5 8% of 187,500.01 rounds up to 15,001, capped at 15,000 [SZ26]",
     replace26(region=SZ, price=187500.01), Pays(SZ26, "replace-nev", 1500000, "RATE_CAPPED")),
    ("e-sz26-national-superseded", "§1.5 Shenzhen applies its own guide [SZ26]",
     replace26(region=SZ), Refuses(V26R, "SUPERSEDED_BY_LOCAL")),
    ("e-sz26-owned-on-cutoff", f"{SUM} Shenzhen keeps the national ownership rule",
     replace26(region=SZ, owned_since="2025-01-08"), Refuses(SZ26, "OWNERSHIP_TOO_RECENT")),
    ("e-sz26-scrappage-national", f"{XZ} scrapping in Shenzhen uses the national 12%",
     scrap26("2013-06-30", region=SZ), V26S_12K),
    ("e-sz26-once", "§1.5 one vehicle subsidy per consumer [S18][S19]",
     replace26(region=SZ, history=[("2026-02-01", "scrappage")]), Refuses(SZ26, "PER_PERSON_LIMIT_REACHED")),
]
