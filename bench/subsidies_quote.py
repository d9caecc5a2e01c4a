"""Quotes per second for the shipped programmes, in-process, on one core.

Each quote starts from the contract's JSON-shaped dict (validation included), over a fixed mix
of appliance, digital and car purchases in several regions and years. Target: 20,000/s.

    .venv/bin/python bench/subsidies_quote.py [--seconds 5]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from subsidies import Catalogue, load_programmes, quote  # noqa: E402


def _appliance(kind, fen, date, region="110105", grade=1, history=()):
    return {"region": region, "date": date, "application_date": date,
            "purchase": {"kind": kind, "price_fen": fen, "list_price_fen": fen + 20000,
                         "discounts_fen": 20000, "energy_grade": grade, "water_grade": None},
            "trade_in": {"kind": kind, "handed_in": True},
            "history": [{"date": d, "kind": k, "scheme": None, "amount_fen": 10000} for d, k in history]}


def _car(date, fen, region="110105", disposal="scrap", powertrain="bev", bare=None, **old):
    return {"region": region, "date": date,
            "purchase": {"kind": "passenger_car", "price_fen": fen, "powertrain": powertrain,
                         "displacement_l": "1.5", "in_purchase_tax_exemption_catalog": True,
                         "bare_price_fen": bare, "registered_in": region},
            "trade_in": {"kind": "passenger_car", "handed_in": True, "disposal": disposal,
                         "powertrain": "gasoline", "first_registration_date": "2010-03-01",
                         "registered_to_applicant_since": "2012-01-01", **old},
            "history": []}


MIX = [
    _appliance("air_conditioner", 300000, "2025-06-01", "141100", history=[("2025-03-01", "air_conditioner")]),
    _appliance("television", 450000, "2024-10-01", grade=2),
    _appliance("refrigerator", 800000, "2026-03-01", "140105"),
    _appliance("microwave_oven", 80000, "2026-03-01"),
    _appliance("washing_machine", 350000, "2025-02-01", grade=3),
    {"region": "310115", "date": "2025-03-01",
     "purchase": {"kind": "mobile_phone", "price_fen": 599900}, "history": []},
    {"region": "440305", "date": "2026-05-01",
     "purchase": {"kind": "smart_glasses", "price_fen": 250000},
     "history": [{"date": "2026-01-10", "kind": "mobile_phone"}]},
    _car("2025-03-01", 15000000),
    _car("2025-03-01", 15000000, "310115", "transfer", transfer_date="2025-02-01"),
    _car("2024-10-01", 12345600, "500103", "transfer", bare=12345600),
    _car("2026-03-01", 16670000, powertrain="gasoline"),
]


def run(seconds: float) -> tuple[int, float, float]:
    catalogue = Catalogue(load_programmes())
    for body in MIX:  # every request in the mix must be a valid quote
        quote(body, catalogue)
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for body in MIX:
            quote(body, catalogue)
        n += len(MIX)
        if time.perf_counter() >= deadline:
            break
    return n, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    n, wall, cpu = run(args.seconds)
    # One thread: CPU seconds are the time on one core, whatever else the machine is running.
    print(f"in-process quotes: {n} in {wall:.2f}s wall / {cpu:.2f}s CPU = {n / cpu:,.0f} per CPU-second "
          f"on one core ({n / wall:,.0f}/s wall; load {os.getloadavg()[0]:.1f}; target 20,000/s; "
          f"mix of {len(MIX)} requests)")


if __name__ == "__main__":
    main()
