"""Cases derived from the official rules. Each cites the rule (section of
../shared/domain/subsidies.md and source [S#]) it checks.

An expectation is one of:
- Pays(programme, rule, amount_fen[, code]): that programme pays exactly this;
- Refuses(programme, code): that programme refuses with this stable code;
- Invalid(field): the request is rejected naming the field (HTTP 422);
- NoProgramme(before, after): no programme is in force (`no_programme_in_force`); the nearest
  windows are those of the programmes `before` (ended last) and `after` (start next).

The edge cases added for issue 14 are held apart in subsidy_edge_cases.py. The tests that hold
the engine to both tables are tests/unit/subsidies/test_rules_table.py and test_rules_edges.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from subsidies import RequestError, quote

from tests.factories.subsidy_requests import CATALOGUE, appliance, car, digital


@dataclass(frozen=True)
class Pays:
    programme: str
    rule: str
    amount_fen: int
    code: str | None = None


@dataclass(frozen=True)
class Refuses:
    programme: str
    code: str


@dataclass(frozen=True)
class Invalid:
    field: str


@dataclass(frozen=True)
class NoProgramme:
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


SH, CQ, LL, TY = "310115", "500103", "141100", "140105"  # Shanghai, Chongqing, Lüliang, Taiyuan
A24, A25, A26 = "CN-2024-appliance", "CN-2025-appliance", "CN-2026-appliance"
D25, D26, SX = "CN-2025-digital", "CN-2026-digital", "SX-2026-appliance-digital"
V24S, V25S, V25R = "CN-2024-vehicle-scrappage", "CN-2025-vehicle-scrappage", "CN-2025-vehicle-replacement"
V26S, V26R = "CN-2026-vehicle-scrappage", "CN-2026-vehicle-replacement"
SH25, CQ24 = "SH-2025-vehicle-replacement", "CQ-2024-vehicle-replacement"
AC = "air_conditioner"

CASES = [
    # --- appliances 2024 (§2.1) ---
    ("a24-grade1-20pct", "§2.1 grade 1: 15%+5% of final price [S20][S22]",
     appliance("television", 5000, "2024-10-01"), Pays(A24, "grade-1", 100000, "RATE")),
    ("a24-grade2-15pct", "§2.1 grade 2: 15% [S20]",
     appliance("television", 5000, "2024-10-01", grade=2), Pays(A24, "grade-2", 75000)),
    ("a24-grade3-nothing", "§2.1 grade 3 and worse get nothing [S20]",
     appliance("refrigerator", 5000, "2024-10-01", grade=3), Refuses(A24, "GRADE_TOO_LOW")),
    ("a24-cap-2000", "§2.1 cap 2,000 per item [S20]",
     appliance(AC, 12000, "2024-10-01"), Pays(A24, "grade-1", 200000, "RATE_CAPPED")),
    ("a24-cap-exactly", "§2.1 20% of 10,000 is exactly the cap [S20]",
     appliance(AC, 10000, "2024-10-01"), Pays(A24, "grade-1", 200000, "RATE")),
    ("a24-water-grade", "§2.1 energy OR water-efficiency grade [S20]",
     appliance("washing_machine", 3000, "2024-10-01", grade=3, water=1), Pays(A24, "grade-1", 60000)),
    ("a24-first-day", "§2.1 standard in force from the 若干措施 of 2024-07-25 [S22]",
     appliance("television", 3000, "2024-07-25"), Pays(A24, "grade-1", 60000)),
    ("a24-day-before", "§2.1 no appliance programme before 2024-07-25 [S22]",
     appliance("television", 3000, "2024-07-24"), NoProgramme(after=(A24,))),
    ("a24-last-day", "§2.1 the 2024 programme year ends 2024-12-31 [S23]",
     appliance("television", 3000, "2024-12-31"), Pays(A24, "grade-1", 60000)),
    ("a24-microwave-not-covered", "§2.1 eight categories only in 2024 [S20]",
     appliance("microwave_oven", 800, "2024-10-01"), Refuses(A24, "KIND_NOT_COVERED")),
    ("a24-one-per-category", "§2.1 one item per category [S20]",
     appliance("refrigerator", 4000, "2024-11-01", history=[("2024-08-01", "refrigerator")]),
     Refuses(A24, "PER_PERSON_LIMIT_REACHED")),
    ("a24-one-ac", "§2.1 air conditioners included: one in 2024 [S20][S48]",
     appliance(AC, 4000, "2024-11-01", history=[("2024-08-01", AC)]),
     Refuses(A24, "PER_PERSON_LIMIT_REACHED")),

    # --- appliances 2025 (§2.2) ---
    ("a25-contract-example", "§2.2 grade 1: 20% [S24][S26]",
     appliance(AC, 3000, "2025-06-01", region=LL, history=[("2025-03-01", AC)]),
     Pays(A25, "grade-1", 60000)),
    ("a25-microwave-new", "§2.2 microwave added in 2025 [S24][S26]",
     appliance("microwave_oven", 800, "2025-03-01", grade=2), Pays(A25, "grade-2", 12000)),
    ("a25-dishwasher-water", "§2.2 dishwasher by water grade [S24]",
     appliance("dishwasher", 6000, "2025-03-01", grade=None, water=1), Pays(A25, "grade-1", 120000)),
    ("a25-rice-cooker-grade3", "§2.2 grade 2 or better only [S24]",
     appliance("rice_cooker", 500, "2025-03-01", grade=3), Refuses(A25, "GRADE_TOO_LOW")),
    ("a25-third-ac", "§2.2 up to 3 air conditioners [S24][S48]",
     appliance(AC, 4000, "2025-08-01", history=[("2025-03-01", AC), ("2025-05-01", AC)]),
     Pays(A25, "grade-1", 80000)),
    ("a25-fourth-ac", "§2.2 a 4th air conditioner is not subsidised [S24][S48]",
     appliance(AC, 4000, "2025-08-01",
               history=[("2025-03-01", AC), ("2025-05-01", AC), ("2025-06-01", AC)]),
     Refuses(A25, "PER_PERSON_LIMIT_REACHED")),
    ("a25-second-fridge", "§2.2 one item per other category [S24]",
     appliance("refrigerator", 4000, "2025-08-01", history=[("2025-02-01", "refrigerator")]),
     Refuses(A25, "PER_PERSON_LIMIT_REACHED")),
    ("a25-2024-does-not-block", "§2.2 subsidised in 2024 may be subsidised again in 2025 [S24]",
     appliance("refrigerator", 4000, "2025-08-01", history=[("2024-10-01", "refrigerator")]),
     Pays(A25, "grade-1", 80000)),
    ("a25-first-day", "§2.2 2025 programme from 2025-01-01 [S24]",
     appliance("television", 3000, "2025-01-01"), Pays(A25, "grade-1", 60000)),
    ("a25-last-day", "§2.2 2025 programme to 2025-12-31 [S24]",
     appliance("television", 3000, "2025-12-31"), Pays(A25, "grade-1", 60000)),
    ("a25-computer-appliance", "§3.1 computers are appliances, cap 2,000 [S24][S26]",
     appliance("computer", 15000, "2025-04-01"), Pays(A25, "grade-1", 200000, "RATE_CAPPED")),
    ("a25-grade-missing", "§0 the grade decides the rate: a needed field [S20]",
     appliance("television", 3000, "2025-04-01", grade=None), Invalid("purchase.energy_grade")),

    # --- appliances 2026 (§2.3) ---
    ("a26-15pct", "§2.3 15% of the final price [S19][S46]",
     appliance("television", 4000, "2026-03-01"), Pays(A26, "grade-1", 60000)),
    ("a26-grade2-nothing", "§2.3 grade 1 only [S44][S19]",
     appliance("television", 4000, "2026-03-01", grade=2), Refuses(A26, "GRADE_TOO_LOW")),
    ("a26-cap-1500", "§2.3 cap 1,500 [S19]",
     appliance(AC, 12000, "2026-03-01"), Pays(A26, "grade-1", 150000, "RATE_CAPPED")),
    ("a26-cap-exactly", "§2.3 15% of 10,000 is the cap [S19]",
     appliance(AC, 10000, "2026-03-01"), Pays(A26, "grade-1", 150000, "RATE")),
    ("a26-microwave-dropped", "§2.3 six categories only [S45][S19]",
     appliance("microwave_oven", 800, "2026-03-01"), Refuses(A26, "KIND_NOT_COVERED")),
    ("a26-first-day", "§2.3 national 2026 programme from 2026-01-01 [S19]",
     appliance("television", 4000, "2026-01-01"), Pays(A26, "grade-1", 60000)),
    ("a26-last-day", "§2.3 to 2026-12-31 [S19]",
     appliance("television", 4000, "2026-12-31"), Pays(A26, "grade-1", 60000)),
    ("a26-after-every-programme", "no programme after 2026",
     appliance("television", 4000, "2027-01-01"), NoProgramme(before=(A26,))),
    ("a26-one-ac", "§2.3 one item per category, air conditioners too [S19]",
     appliance(AC, 4000, "2026-05-01", history=[("2026-02-01", AC)]),
     Refuses(A26, "PER_PERSON_LIMIT_REACHED")),

    # --- digital 2025 (§3.1) ---
    ("d25-official-example", "§3.1 list 3,500 - discount 500 = 3,000 -> 450 [S29]",
     digital("mobile_phone", 3000, "2025-02-01", list_price_fen=350000, discounts_fen=50000),
     Pays(D25, "standard", 45000)),
    ("d25-ceiling-inclusive", "§3.1 不超过6000元: 6,000 itself qualifies, capped at 500 [S27][S28]",
     digital("mobile_phone", 6000, "2025-02-01"), Pays(D25, "standard", 50000, "RATE_CAPPED")),
    ("d25-above-ceiling", "§3.1 above 6,000 gets nothing [S27]",
     digital("mobile_phone", 6000.01, "2025-02-01"), Refuses(D25, "PRICE_ABOVE_CEILING")),
    ("d25-discounted-to-ceiling", "§0 ceiling checked on the post-discount price: 8,000 sold at 6,000 [S28]",
     digital("mobile_phone", 6000, "2025-02-01", list_price_fen=800000, discounts_fen=200000),
     Pays(D25, "standard", 50000)),
    ("d25-cap-edge", "§3.1 the cap binds from about 3,333.33 [S27][S29]",
     digital("tablet", 3333.33, "2025-02-01"), Pays(D25, "standard", 50000, "RATE")),
    ("d25-watch", "§3.1 smartwatches and bands [S27]",
     digital("smartwatch", 1000, "2025-02-01"), Pays(D25, "standard", 15000)),
    ("d25-day-before-start", "§3.1 nationwide from 2025-01-20 [S29][S30]",
     digital("mobile_phone", 3000, "2025-01-19"), NoProgramme(after=(D25,))),
    ("d25-first-day", "§3.1 nationwide from 2025-01-20 [S29][S30]",
     digital("mobile_phone", 3000, "2025-01-20"), Pays(D25, "standard", 45000)),
    ("d25-second-phone", "§3.1 one item per category per person [S27]",
     digital("mobile_phone", 3000, "2025-06-01", history=[("2025-02-01", "mobile_phone")]),
     Refuses(D25, "PER_PERSON_LIMIT_REACHED")),
    ("d25-phone-after-tablet", "§3.1 the limit is per category [S27]",
     digital("mobile_phone", 3000, "2025-06-01", history=[("2025-02-01", "tablet")]),
     Pays(D25, "standard", 45000)),
    ("d25-no-glasses", "§3.2 smart glasses only from 2026 [S45]",
     digital("smart_glasses", 3000, "2025-06-01"), Refuses(D25, "KIND_NOT_COVERED")),
    ("d25-nothing-handed-in", "§3.1 购新补贴: no old device needed [S30]",
     {**digital("mobile_phone", 2000, "2025-06-01"), "trade_in": None}, Pays(D25, "standard", 30000)),

    # --- digital 2026 (§3.2) ---
    ("d26-glasses", "§3.2 smart glasses added [S45][S19]",
     digital("smart_glasses", 3000, "2026-03-01"), Pays(D26, "standard", 45000)),
    ("d26-2025-does-not-block", "§0 limits run per policy year [S24]",
     digital("mobile_phone", 3000, "2026-03-01", history=[("2025-03-01", "mobile_phone")]),
     Pays(D26, "standard", 45000)),

    # --- Shanxi 2026 (§4) ---
    ("sx-first-day", "§4 Shanxi from 2026-01-09 [S42][S43]",
     appliance("television", 4000, "2026-01-09", region=LL), Pays(SX, "appliance-grade-1", 60000)),
    ("sx-national-superseded", "§4 Shanxi implements the national line locally [S42]",
     appliance("television", 4000, "2026-01-09", region=LL), Refuses(A26, "SUPERSEDED_BY_LOCAL")),
    ("sx-day-before", "§4 nothing in Shanxi before 2026-01-09 [S42][S43]",
     appliance("television", 4000, "2026-01-08", region=LL), Refuses(SX, "NOT_STARTED")),
    ("sx-phone-cap", "§4 digital 15%, cap 500, price up to 6,000 [S43]",
     digital("mobile_phone", 6000, "2026-02-01", region=TY), Pays(SX, "digital", 50000)),
    ("sx-phone-above-ceiling", "§4 tax-inclusive price at most 6,000 [S43]",
     digital("mobile_phone", 7000, "2026-02-01", region=TY), Refuses(SX, "PRICE_ABOVE_CEILING")),
    ("sx-grade2", "§4 appliances grade 1 only [S42]",
     appliance("refrigerator", 4000, "2026-02-01", grade=2, region=TY), Refuses(SX, "GRADE_TOO_LOW")),
    ("sx-2025-does-not-block", "§4 subsidised in 2025 may claim again in 2026 [S43]",
     appliance("refrigerator", 4000, "2026-02-01", region=TY, history=[("2025-05-01", "refrigerator")]),
     Pays(SX, "appliance-grade-1", 60000)),
    ("sx-outside-shanxi", "§2.3 outside Shanxi the national line applies from 2026-01-01 [S19]",
     appliance("television", 4000, "2026-01-08"), Pays(A26, "grade-1", 60000)),

    # --- cars, 2024 scrappage (§1.1) ---
    ("v24-nev", "§1.1 scrap + NEV: 20,000 (raised) [S1][S2]",
     car("2024-09-01", 150000), Pays(V24S, "scrap-nev", 2000000, "FIXED")),
    ("v24-fuel-cutoff-day", "§1.1 gasoline registered by 2011-06-30 + fuel ≤2.0 L: 15,000 [S7]",
     car("2024-09-01", 100000, powertrain="gasoline", first_registration="2011-06-30"),
     Pays(V24S, "scrap-fuel", 1500000)),
    ("v24-gasoline-too-new", "§1.1 gasoline after 2011-06-30 is not 国三 [S7]",
     car("2024-09-01", 100000, first_registration="2011-07-01"), Refuses(V24S, "OLD_VEHICLE_TOO_NEW")),
    ("v24-diesel-cutoff", "§1.1 diesel by 2013-06-30 [S7]",
     car("2024-09-01", 150000, old="diesel", first_registration="2013-06-30"),
     Pays(V24S, "scrap-nev", 2000000)),
    ("v24-diesel-too-new", "§1.1 diesel after 2013-06-30 [S7]",
     car("2024-09-01", 150000, old="diesel", first_registration="2013-07-01"),
     Refuses(V24S, "OLD_VEHICLE_TOO_NEW")),
    ("v24-old-nev-inclusive", "§1.1 NEV registered 2018-04-30 (含当日) [S7]",
     car("2024-09-01", 150000, old="bev", first_registration="2018-04-30"),
     Pays(V24S, "scrap-nev", 2000000)),
    ("v24-old-nev-too-new", "§1.1 NEV after 2018-04-30 [S7]",
     car("2024-09-01", 150000, old="phev", first_registration="2018-05-01"),
     Refuses(V24S, "OLD_VEHICLE_TOO_NEW")),
    ("v24-old-nev-for-fuel", "§1.1 scrapping an old NEV and buying a fuel car earns nothing [S6][S7]",
     car("2024-09-01", 100000, powertrain="gasoline", old="bev", first_registration="2017-01-01"),
     Refuses(V24S, "OLD_NEV_FOR_FUEL_CAR")),
    ("v24-displacement", "§1.1 fuel car must be ≤2.0 L [S1][S2]",
     car("2024-09-01", 200000, powertrain="gasoline", displacement="2.5"),
     Refuses(V24S, "DISPLACEMENT_TOO_LARGE")),
    ("v24-displacement-2-0", "§1.1 2.0升及以下: 2.0 L qualifies [S1]",
     car("2024-09-01", 200000, powertrain="hybrid", displacement="2.0"), Pays(V24S, "scrap-fuel", 1500000)),
    ("v24-ownership-cutoff", "§1.1 registered to the applicant before 2024-07-25 [S2][S9]",
     car("2024-09-01", 150000, owned_since="2024-07-25"), Refuses(V24S, "OWNERSHIP_TOO_RECENT")),
    ("v24-ownership-day-before", "§1.1 registered to the applicant before 2024-07-25 [S9]",
     car("2024-09-01", 150000, owned_since="2024-07-24"), Pays(V24S, "scrap-nev", 2000000)),
    ("v24-application-deadline", "§1.1 apply by 2025-01-10 [S5]",
     car("2024-12-31", 150000, application_date="2025-01-10"), Pays(V24S, "scrap-nev", 2000000)),
    ("v24-application-late", "§1.1 apply by 2025-01-10 [S5]",
     car("2024-12-31", 150000, application_date="2025-01-11"), Refuses(V24S, "APPLICATION_OUT_OF_WINDOW")),
    ("v24-first-day", "§1.1 from the rules' issue on 2024-04-24 [S6][S5]",
     car("2024-04-24", 150000), Pays(V24S, "scrap-nev", 2000000)),
    ("v24-day-before", "§1.1 nothing before 2024-04-24 outside Chongqing [S6]",
     car("2024-04-23", 150000), NoProgramme(after=(V24S,))),
    ("v24-not-in-catalogue", "§1.1 NEV must be in MIIT's tax-exemption catalogue [S1]",
     car("2024-09-01", 150000, catalogue=False), Refuses(V24S, "NOT_IN_TAX_EXEMPTION_CATALOG")),
    ("v24-nothing-scrapped", "§1.1 an old car must be scrapped [S6]",
     car("2024-09-01", 150000, trade_in=False), Refuses(V24S, "TRADE_IN_REQUIRED")),
    ("v24-transfer-is-not-scrap", "§1.2 no national 2024 replacement amount [S5]",
     car("2024-09-01", 150000, disposal="transfer"), Refuses(V24S, "DISPOSAL_MISMATCH")),
    ("v24-certificate-dated-late", "§1.1 documents dated by 2024-12-31 [S6][S8]",
     car("2024-12-20", 150000, scrap_certificate_date="2025-01-02"),
     Refuses(V24S, "EVIDENCE_DATE_OUT_OF_RANGE")),

    # --- cars, 2025 scrappage (§1.3) ---
    ("v25-gasoline-cutoff", "§1.3 gasoline by 2012-06-30 [S10][S13]",
     car("2025-03-01", 100000, powertrain="gasoline", first_registration="2012-06-30"),
     Pays(V25S, "scrap-fuel", 1500000)),
    ("v25-gasoline-too-new", "§1.3 gasoline after 2012-06-30 [S10]",
     car("2025-03-01", 100000, first_registration="2012-07-01"), Refuses(V25S, "OLD_VEHICLE_TOO_NEW")),
    ("v25-diesel-cutoff", "§1.3 diesel by 2014-06-30 [S10]",
     car("2025-03-01", 150000, old="diesel", first_registration="2014-06-30"),
     Pays(V25S, "scrap-nev", 2000000)),
    ("v25-old-nev-cutoff", "§1.3 NEV by 2018-12-31 [S10][S12]",
     car("2025-03-01", 150000, old="bev", first_registration="2018-12-31"),
     Pays(V25S, "scrap-nev", 2000000)),
    ("v25-old-nev-too-new", "§1.3 NEV after 2018-12-31 [S10]",
     car("2025-03-01", 150000, old="bev", first_registration="2019-01-01"),
     Refuses(V25S, "OLD_VEHICLE_TOO_NEW")),
    ("v25-ownership-ok", "§1.3 registered to the applicant before 2025-01-08 [S10]",
     car("2025-03-01", 150000, owned_since="2025-01-07"), Pays(V25S, "scrap-nev", 2000000)),
    ("v25-ownership-too-recent", "§1.3 registered to the applicant before 2025-01-08 [S10]",
     car("2025-03-01", 150000, owned_since="2025-01-08"), Refuses(V25S, "OWNERSHIP_TOO_RECENT")),

    # --- cars, 2025 replacement (§1.4) ---
    ("v25r-no-local-standard", "§1.4 amounts are set locally [S11]",
     car("2025-03-01", 150000, disposal="transfer", transfer_date="2025-02-01"),
     Refuses(V25R, "LOCAL_STANDARD_REQUIRED")),
    ("sh25-nev", "§1.4 Shanghai NEV 15,000 [S14]",
     car("2025-03-01", 150000, region=SH, disposal="transfer", transfer_date="2025-02-01"),
     Pays(SH25, "nev", 1500000)),
    ("sh25-national-superseded", "§1.4 Shanghai sets the local amount [S14]",
     car("2025-03-01", 150000, region=SH, disposal="transfer", transfer_date="2025-02-01"),
     Refuses(V25R, "SUPERSEDED_BY_LOCAL")),
    ("sh25-fuel-china5", "§1.4 Shanghai fuel 13,000 with an old 国五 car [S14]",
     car("2025-03-01", 120000, region=SH, powertrain="gasoline", disposal="transfer",
         transfer_date="2025-02-01", emission_standard="china_5"), Pays(SH25, "fuel", 1300000)),
    ("sh25-fuel-china6", "§1.4 Shanghai fuel: old car 国五 or below [S14]",
     car("2025-03-01", 120000, region=SH, powertrain="gasoline", disposal="transfer",
         transfer_date="2025-02-01", emission_standard="china_6a"),
     Refuses(SH25, "EMISSION_STANDARD_TOO_NEW")),
    ("sh25-transfer-too-early", "§1.4 transferred from 2024-07-25 [S14]",
     car("2025-03-01", 150000, region=SH, disposal="transfer", transfer_date="2024-07-24"),
     Refuses(SH25, "TRANSFER_DATE_OUT_OF_RANGE")),
    ("sh25-transfer-first-day", "§1.4 transferred from 2024-07-25 [S14]",
     car("2025-03-01", 150000, region=SH, disposal="transfer", transfer_date="2024-07-25"),
     Pays(SH25, "nev", 1500000)),
    ("sh25-registered-elsewhere", "§1.4 from 2025-09-11 registered in Shanghai [S55]",
     car("2025-09-11", 150000, region=SH, disposal="transfer", transfer_date="2025-08-01",
         registered_in="320102"), Refuses(SH25, "REGISTRATION_REGION_MISMATCH")),
    ("sh25-before-registration-rule", "§1.4 the registration rule starts 2025-09-11 [S55]",
     car("2025-09-10", 150000, region=SH, disposal="transfer", transfer_date="2025-08-01",
         registered_in="320102"), Pays(SH25, "nev", 1500000)),
    ("sh25-one-per-year", "§1.4 one replacement subsidy per calendar year [S11][S14]",
     car("2025-09-01", 150000, region=SH, disposal="transfer", transfer_date="2025-08-01",
         registered_in="310115", history=[("2025-02-01", "replacement")]),
     Refuses(SH25, "PER_PERSON_LIMIT_REACHED")),
    ("sh25-2026-purchase-national", "§1.5 Shanghai purchases end 2025-12-31 (112号, 284号): 2026 gets 8% [S19]",
     car("2026-03-31", 150000, region=SH, disposal="transfer", transfer_date="2025-12-20",
         registered_in="310115"), Pays(V26R, "replace-nev", 1200000)),
    ("sh25-applied-in-2026", "§1.4 a 2025 purchase may be applied for until 2026-03-31 [S14]",
     car("2025-12-20", 150000, region=SH, disposal="transfer", transfer_date="2025-12-20",
         registered_in="310115", application_date="2026-03-31"), Pays(SH25, "nev", 1500000)),

    # --- cars, 2026 (§1.5) ---
    ("v26-scrap-nev-12pct", "§1.5 scrap + NEV 12% [S19][S17]",
     car("2026-03-01", 150000), Pays(V26S, "scrap-nev", 1800000, "RATE")),
    ("v26-scrap-nev-cap", "§1.5 cap 20,000 reached from 166,700 [S17]",
     car("2026-03-01", 166700), Pays(V26S, "scrap-nev", 2000000, "RATE_CAPPED")),
    ("v26-scrap-fuel-10pct", "§1.5 scrap + fuel ≤2.0 L 10% [S19]",
     car("2026-03-01", 100000, powertrain="gasoline"), Pays(V26S, "scrap-fuel", 1000000)),
    ("v26-replace-nev-cap-point", "§1.5 replacement + NEV 8%, cap reached at 187,500 [S19]",
     car("2026-03-01", 187500, disposal="transfer"), Pays(V26R, "replace-nev", 1500000, "RATE")),
    ("v26-replace-fuel-cap", "§1.5 replacement + fuel 6%, cap 13,000 from 216,700 [S19]",
     car("2026-03-01", 216700, powertrain="gasoline", disposal="transfer"),
     Pays(V26R, "replace-fuel", 1300000, "RATE_CAPPED")),
    ("v26-once-per-consumer", "§1.5 each consumer receives the vehicle subsidy once [S18][S19]",
     car("2026-06-01", 150000, disposal="transfer", history=[("2026-02-01", "scrappage")]),
     Refuses(V26R, "PER_PERSON_LIMIT_REACHED")),
    ("v26-2025-does-not-block", "§0 limits per policy year [S24]",
     car("2026-06-01", 150000, disposal="transfer", history=[("2025-02-01", "replacement")]),
     Pays(V26R, "replace-nev", 1200000)),

    # --- Chongqing 2024 replacement (§1.2, §5.2) ---
    ("cq-nev-7pct", "§1.2 Chongqing NEV 7% of the bare price [S15]",
     car("2024-10-01", 200000, region=CQ, disposal="transfer", bare_price_yuan=200000),
     Pays(CQ24, "nev", 1400000)),
    ("cq-round-down-to-ten", "§5.2 四舍五入取整十: 8,641.92 -> 8,640 [S15]",
     car("2024-10-01", 123456, region=CQ, disposal="transfer", bare_price_yuan=123456),
     Pays(CQ24, "nev", 864000)),
    ("cq-round-half-up", "§5.2 四舍五入取整十: 8,645 -> 8,650 [S15]",
     car("2024-10-01", 123500, region=CQ, disposal="transfer", bare_price_yuan=123500),
     Pays(CQ24, "nev", 865000)),
    ("cq-nev-floor", "§1.2 NEV at least 3,000 [S15]",
     car("2024-10-01", 30000, region=CQ, disposal="transfer", bare_price_yuan=30000),
     Pays(CQ24, "nev", 300000, "RATE_FLOORED")),
    ("cq-nev-ceiling", "§1.2 NEV at most 19,000 [S15]",
     car("2024-10-01", 300000, region=CQ, disposal="transfer", bare_price_yuan=300000),
     Pays(CQ24, "nev", 1900000, "RATE_CAPPED")),
    ("cq-fuel-6pct", "§1.2 fuel 6% [S15]",
     car("2024-10-01", 100000, region=CQ, powertrain="gasoline", disposal="transfer",
         bare_price_yuan=100000), Pays(CQ24, "fuel", 600000)),
    ("cq-fuel-floor", "§1.2 fuel at least 2,000 [S15]",
     car("2024-10-01", 20000, region=CQ, powertrain="gasoline", disposal="transfer",
         bare_price_yuan=20000), Pays(CQ24, "fuel", 200000, "RATE_FLOORED")),
    ("cq-fuel-ceiling", "§1.2 fuel at most 16,000 [S15]",
     car("2024-10-01", 300000, region=CQ, powertrain="gasoline", disposal="transfer",
         bare_price_yuan=300000), Pays(CQ24, "fuel", 1600000, "RATE_CAPPED")),
    ("cq-bare-price-needed", "§1.2 the base is the bare car price [S15]",
     car("2024-10-01", 200000, region=CQ, disposal="transfer"), Invalid("purchase.bare_price_fen")),
    ("cq-scrappage-national", "§1.1 scrapping in Chongqing uses the national scrappage line [S6]",
     car("2024-10-01", 150000, region=CQ), Pays(V24S, "scrap-nev", 2000000)),
    ("cq-before-national-window", "§1.2 Chongqing replacement covers 2024 [S15]",
     car("2024-03-01", 150000, region=CQ, disposal="transfer", bare_price_yuan=150000),
     Pays(CQ24, "nev", 1050000)),
]

# First and last day of every programme not covered above.
CASES += [
    ("d25-last-day", "§3.1 the 2025 digital plan runs to the end of the programme year [S27]",
     digital("mobile_phone", 3000, "2025-12-31"), Pays(D25, "standard", 45000)),
    ("d26-first-day", "§3.2 2026 digital programme from 2026-01-01 [S19]",
     digital("tablet", 2000, "2026-01-01"), Pays(D26, "standard", 30000)),
    ("d26-last-day", "§3.2 to 2026-12-31 [S19]",
     digital("smart_glasses", 2000, "2026-12-31"), Pays(D26, "standard", 30000)),
    ("sx-last-day", "§4 Shanxi 2026 to the end of the year [S43]",
     digital("mobile_phone", 2000, "2026-12-31", region=TY), Pays(SX, "digital", 30000)),
    ("v25-first-day", "§1.3 2025 scrappage from 2025-01-01 inclusive [S10]",
     car("2025-01-01", 150000, owned_since="2015-01-01"), Pays(V25S, "scrap-nev", 2000000)),
    ("v25-last-day", "§1.3 2025 scrappage to 2025-12-31 (end not confirmed, §6.1)",
     car("2025-12-31", 150000), Pays(V25S, "scrap-nev", 2000000)),
    ("v25r-first-day", "§1.4 2025 replacement from 2025-01-01 [S11]",
     car("2025-01-01", 150000, disposal="transfer", transfer_date="2024-12-01"),
     Refuses(V25R, "LOCAL_STANDARD_REQUIRED")),
    ("sh25-first-day", "§1.4 Shanghai 2025 replacement from 2025-01-01 [S14]",
     car("2025-01-01", 150000, region=SH, disposal="transfer", transfer_date="2024-12-01"),
     Pays(SH25, "nev", 1500000)),
    ("v26s-first-day", "§1.5 2026 scrappage from 2026-01-01 [S19]",
     car("2026-01-01", 100000), Pays(V26S, "scrap-nev", 1200000)),
    ("v26s-last-day", "§1.5 2026 scrappage to 2026-12-31 [S19]",
     car("2026-12-31", 100000), Pays(V26S, "scrap-nev", 1200000)),
    ("v26r-first-day", "§1.5 2026 replacement from 2026-01-01 [S19]",
     car("2026-01-01", 100000, disposal="transfer"), Pays(V26R, "replace-nev", 800000)),
    ("v26r-last-day", "§1.5 2026 replacement to 2026-12-31 [S19]",
     car("2026-12-31", 100000, disposal="transfer"), Pays(V26R, "replace-nev", 800000)),
    ("v26-after-every-programme", "no car programme after 2026",
     car("2027-01-01", 100000), NoProgramme(before=(V26R, V26S))),
    ("cq-first-day", "§1.2 Chongqing 2024 replacement (window: the calendar year) [S15]",
     car("2024-01-01", 100000, region=CQ, disposal="transfer", bare_price_yuan=100000), Pays(CQ24, "nev", 700000)),
    ("cq-last-day", "§1.2 Chongqing 2024 replacement to 2024-12-31 [S15]",
     car("2024-12-31", 100000, region=CQ, disposal="transfer", bare_price_yuan=100000), Pays(CQ24, "nev", 700000)),
    ("cq-after-2024", "§1.2/§1.4 the 2024 Chongqing rule ends with 2024; no 2025 Chongqing amounts on file",
     car("2025-01-02", 100000, region=CQ, disposal="transfer", bare_price_yuan=100000, transfer_date="2025-01-01"),
     Refuses(V25R, "LOCAL_STANDARD_REQUIRED")),
]


def check(cite, request_body, expect):
    """Hold one quote to one hand-computed expectation (both tables)."""
    if isinstance(expect, Invalid):
        with pytest.raises(RequestError) as info:
            quote(request_body, CATALOGUE)
        assert expect.field in {e.field for e in info.value.errors}, cite
        return
    result = quote(request_body, CATALOGUE)
    body = result.as_dict()
    if isinstance(expect, NoProgramme):
        assert body["eligible"] is False and body["lines"] == [], cite
        assert body["ineligible"][0]["code"] == "no_programme_in_force", (cite, body["ineligible"])
        windows = {(w["programme"], w["relation"]) for w in body["nearest_windows"]}
        assert windows == {(p, "before") for p in expect.before} | {(p, "after") for p in expect.after}, cite
        return
    lines = {line["programme"]: line for line in body["lines"]}
    refusals = {r["programme"]: r for r in body["ineligible"]}
    if isinstance(expect, Pays):
        assert expect.programme in lines, (cite, body["ineligible"])
        line = lines[expect.programme]
        assert (line["rule"], line["amount_fen"]) == (expect.rule, expect.amount_fen), cite
        if expect.code:
            assert line["code"] == expect.code, cite
        assert line["explanation"]["zh"] and line["explanation"]["en"]
        assert "nearest_windows" not in body, cite
    else:
        assert expect.programme not in lines, cite
        assert refusals[expect.programme]["code"] == expect.code, (cite, refusals[expect.programme])
        assert refusals[expect.programme]["explanation"]["zh"]
        assert refusals[expect.programme]["explanation"]["en"]
    assert body["total_fen"] == sum(line["amount_fen"] for line in body["lines"])
    assert body["eligible"] == bool(body["lines"])
