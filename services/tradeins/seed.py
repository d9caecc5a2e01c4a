"""Demo price table: plausible 2025-26 trade-in base prices (as-new value, in fen) for the models the
demo listings use, and two retailer campaigns."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.tradeins.models import PriceEntry
from services.tradeins.prices import model_key

PLATFORM = [
    ("electronics", "mobile_phone", "Apple", "iPhone 15 Pro", 620000),
    ("electronics", "mobile_phone", "Apple", "iPhone 15", 450000),
    ("electronics", "mobile_phone", "Apple", "iPhone 14 Pro", 480000),
    ("electronics", "mobile_phone", "Apple", "iPhone 14", 360000),
    ("electronics", "mobile_phone", "Apple", "iPhone 13", 300000),
    ("electronics", "mobile_phone", "Apple", "iPhone 12", 220000),
    ("electronics", "mobile_phone", "Huawei", "Mate 60 Pro", 450000),
    ("electronics", "mobile_phone", "Huawei", "P60", 280000),
    ("electronics", "mobile_phone", "Xiaomi", "Xiaomi 14", 250000),
    ("electronics", "mobile_phone", "Xiaomi", "Redmi K70", 160000),
    ("electronics", "mobile_phone", "OPPO", "Find X7", 260000),
    ("electronics", "mobile_phone", "vivo", "X100", 260000),
    ("electronics", "mobile_phone", "Honor", "Magic6", 230000),
    ("electronics", "tablet", "Apple", "iPad Air 5", 250000),
    ("electronics", "tablet", "Huawei", "MatePad 11", 110000),
    ("electronics", "laptop", "Apple", "MacBook Air M2", 500000),
    ("electronics", "laptop", "Lenovo", "ThinkPad X1 Carbon", 400000),
    ("electronics", "smartwatch", "Apple", "Apple Watch S8", 130000),
    ("appliance", "refrigerator", "Haier", "BCD-470WDPG", 180000),
    ("appliance", "refrigerator", "Midea", "BCD-508WKPZM", 150000),
    ("appliance", "washing_machine", "Little Swan", "TG100V88", 120000),
    ("appliance", "washing_machine", "Haier", "EG100MATE3S", 100000),
    ("appliance", "air_conditioner", "Gree", "KFR-35GW/NhGc1B", 120000),
    ("appliance", "air_conditioner", "Midea", "KFR-35GW/N8XHA1", 100000),
    ("appliance", "television", "Hisense", "65E7K", 220000),
    ("appliance", "television", "TCL", "75Q10G", 300000),
    ("appliance", "water_heater", "A.O. Smith", "E60VDP", 80000),
    ("appliance", "range_hood", "Fotile", "CXW-258-JCD10TB", 150000),
    ("appliance", "dishwasher", "Siemens", "SJ45ZS00KC", 200000),
    ("appliance", "microwave_oven", "Galanz", "G80F23CN3L", 20000),
    ("vehicle", "passenger_car", "BYD", "Qin PLUS DM-i", 9000000),
    ("vehicle", "passenger_car", "BYD", "Han EV", 17000000),
    ("vehicle", "passenger_car", "Tesla", "Model 3", 20000000),
    ("vehicle", "passenger_car", "Toyota", "Corolla", 10000000),
    ("vehicle", "passenger_car", "Volkswagen", "Lavida", 9000000),
    ("vehicle", "passenger_car", "Honda", "Accord", 15000000),
    ("vehicle", "passenger_car", "Geely", "Xingyue L", 12000000),
    ("vehicle", "passenger_car", "Li Auto", "L7", 26000000),
]
# (retailer index, category filter, bonus in fen, campaign name)
CAMPAIGNS = [(0, "appliance", 20000, "国美以旧换新节 Gome trade-in festival"),
             (2, "electronics", 30000, "京东焕新季 JD renewal season")]


def seed_prices(session: Session, retailers: list) -> list[str]:
    """Insert the platform price table and the demo retailers' campaign bonuses."""
    rows = [PriceEntry(org_id=None, category=c, kind=k, brand=b, model=m, model_key=model_key(b, m),
                       base_price_fen=fen, campaign_bonus_fen=0, active=True) for c, k, b, m, fen in PLATFORM]
    for idx, category, bonus, name in CAMPAIGNS:
        if idx >= len(retailers) or not retailers[idx].org_ids():
            continue
        org = next(iter(retailers[idx].org_ids()))
        rows += [PriceEntry(org_id=org, category=c, kind=k, brand=b, model=m, model_key=model_key(b, m),
                            base_price_fen=None, campaign_bonus_fen=bonus, campaign_name=name, active=True)
                 for c, k, b, m, _ in PLATFORM if c == category]
    session.add_all(rows)
    session.flush()
    return [f"trade-in price table: {len(PLATFORM)} models, {len(rows) - len(PLATFORM)} campaign entries"]
