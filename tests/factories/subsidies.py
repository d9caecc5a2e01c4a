"""Till sales, pools and resident IDs for the subsidy tests; pools, sales and reservations through the API."""
from __future__ import annotations

import itertools

from services.errors import DomainError
from services.subsidies import reservations, sales
from tests.factories.listings import imei
from tests.factories.races import race

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_seq = itertools.count(1)
PHONE_SUBSIDY = 45000  # 15% of 3,000 yuan


def resident_id(n: int | None = None) -> str:
    """A valid GB 11643 resident ID (Lüliang, born 1990), different for each n."""
    n = next(_seq) if n is None else n
    body = f"141102199001{(n % 28) + 1:02d}{n % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


def phone_quote(price_fen: int = 300000, date: str = "2025-06-01", region: str = "110105") -> dict:
    return {"region": region, "date": date, "purchase": {"kind": "mobile_phone", "price_fen": price_fen}}


def ac_quote(price_fen: int = 300000, date: str = "2025-06-01", region: str = "141100", grade: int = 1,
             old_kind: str | None = "air_conditioner") -> dict:
    return {"region": region, "date": date,
            "purchase": {"kind": "air_conditioner", "price_fen": price_fen, "energy_grade": grade},
            "trade_in": {"kind": old_kind, "handed_in": True} if old_kind else None}


def sale_payload(quote: dict | None = None, *, buyer: str | None = None, invoice: str | None = None,
                 **extra) -> dict:
    quote = quote or phone_quote()
    kind = quote["purchase"]["kind"]
    body = {**quote, "invoice_no": invoice or f"INV{next(_seq):08d}", "buyer_id_number": buyer or resident_id(),
            "brand": "Huawei" if kind == "mobile_phone" else "Gree", "model": "Mate 60" if kind == "mobile_phone" else "KFR-35",
            "device_id": imei() if kind == "mobile_phone" else "SN-0042-ABCD"}
    body.update(extra)
    return body


# ---- through the API ------------------------------------------------------------------------------

def open_pool(client, operator, programme: str, region: str, budget_fen: int) -> dict:
    r = client.post("/api/v1/subsidies/pools", json={"programme": programme, "region": region,
                                                     "budget_fen": budget_fen}, headers=operator.headers)
    assert r.status_code == 201, r.json
    return r.json


def record_sale(client, retailer, **kw) -> dict:
    r = client.post("/api/v1/subsidies/sales", json=sale_payload(**kw), headers=retailer.headers)
    assert r.status_code == 201, r.json
    return r.json


def reserve_sale(client, retailer, sale_id):
    return client.post("/api/v1/subsidies/reservations", json={"sale_id": sale_id}, headers=retailer.headers)


def reserve_at_once(app, session, sale_ids) -> list[str]:
    """Reserve every sale at once, each in its own thread and session: "ok" or the refusal's code
    for each. The app's connection pool (30) is the database-side limit, as in production."""
    facts = [reservations.sale_facts(session, session.get(sales.TillSale, sid)) for sid in sale_ids]
    session.commit()
    outcomes = race(app, [lambda s, f=f: reservations.reserve(s, f) for f in facts])
    return [o.code if isinstance(o, DomainError) else "ok" for o in outcomes]
