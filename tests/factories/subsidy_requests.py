"""Request builders for the subsidy engine tests: short calls for the contract's long JSON, and
the catalogue of the shipped programmes (the `catalogue` fixture is tests/fixtures/subsidies.py)."""
from __future__ import annotations

from subsidies import Catalogue, load_programmes

CATALOGUE = Catalogue(load_programmes())


def appliance(kind: str, price_yuan: float, date: str, *, grade: int | None = 1,
              water: int | None = None, region: str = "110105", history=(), **purchase):
    return {
        "region": region, "date": date,
        "purchase": {"kind": kind, "price_fen": round(price_yuan * 100), "energy_grade": grade,
                     "water_grade": water, **purchase},
        "trade_in": None,
        "history": [{"date": d, "kind": k} for d, k in history],
    }


def digital(kind: str, price_yuan: float, date: str, *, region: str = "110105", history=(),
            **purchase):
    return {
        "region": region, "date": date,
        "purchase": {"kind": kind, "price_fen": round(price_yuan * 100), **purchase},
        "history": [{"date": d, "kind": k} for d, k in history],
    }


def car(date: str, price_yuan: float, *, powertrain: str = "bev", region: str = "110105",
        disposal: str | None = "scrap", old: str = "gasoline", first_registration: str = "2010-05-01",
        owned_since: str = "2015-01-01", displacement: str | None = None, catalogue: bool = True,
        application_date: str | None = None, bare_price_yuan: float | None = None,
        history=(), registered_in: str | None = None, trade_in: bool = True,
        old_registered_in: str | None = None, registration_date: str | None = None, **old_car):
    purchase = {"kind": "passenger_car", "price_fen": round(price_yuan * 100),
                "powertrain": powertrain, "displacement_l": displacement,
                "in_purchase_tax_exemption_catalog": catalogue,
                "bare_price_fen": None if bare_price_yuan is None else round(bare_price_yuan * 100),
                "registered_in": registered_in, "registration_date": registration_date}
    if powertrain in ("gasoline", "diesel", "hybrid") and displacement is None:
        purchase["displacement_l"] = "1.5"
    body = {"region": region, "date": date, "purchase": purchase,
            "history": [{"date": d, "kind": "passenger_car", "scheme": s} for d, s in history]}
    if application_date:
        body["application_date"] = application_date
    body["trade_in"] = {"kind": "passenger_car", "disposal": disposal, "powertrain": old,
                        "first_registration_date": first_registration,
                        "registered_to_applicant_since": owned_since, "registered_in": old_registered_in,
                        **old_car} if trade_in else None
    return body
