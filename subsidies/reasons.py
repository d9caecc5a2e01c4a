"""Stable reason codes with their default Chinese and English explanations.

Codes are part of the API contract: clients branch on them, so never rename one. A programme
file may override the wording of a condition but must pick its code from this table (the
linter enforces it). Templates use `str.format` fields filled by the engine:
`actual`, `expected` (formatted per field type), `kind`, `count`, `max`, `year`, `start`,
`end`, `other`, `cap`, `field`.
"""
from __future__ import annotations

# code -> (zh, en)
REFUSALS: dict[str, tuple[str, str]] = {
    "NOT_STARTED": ("购买日期{actual}早于政策开始日期{start}", "purchase date {actual} is before the programme starts on {start}"),
    "NOT_STARTED_LOCALLY": ("本地区自{start}起实施本政策，购买日期{actual}在此之前", "this region applies the programme from {start}; the purchase date {actual} is before that"),
    "ENDED": ("购买日期{actual}晚于政策截止日期{end}", "purchase date {actual} is after the programme ended on {end}"),
    "APPLICATION_OUT_OF_WINDOW": ("申请日期{actual}不在受理期{start}至{end}内", "application date {actual} is outside the application window {start} to {end}"),
    "KIND_NOT_COVERED": ("本政策不补贴{kind}", "this programme does not cover {kind}"),
    "SUPERSEDED_BY_LOCAL": ("本地区按{other}执行", "this region applies {other} instead"),
    "LOCAL_STANDARD_REQUIRED": ("补贴标准由地方确定(全国上限{cap})，本地区标准未收录", "the amount is set locally (national cap {cap}) and no local standard is on file for this region"),
    "BUDGET_CLOSED": ("本地区补贴资金已用完，暂停受理", "the programme's budget for this region has run out"),
    "EXCLUSIVE_WITH": ("与{other}不可同时享受，已按金额较高者计算", "cannot be combined with {other}, which gives more"),
    "PER_PERSON_LIMIT_REACHED": ("{year}年已享受{count}次{kind}补贴，每人限{max}次", "already subsidised {count} time(s) for {kind} in {year}; the limit is {max} per person"),
    "GRADE_TOO_LOW": ("能效或水效等级为{actual}级，须达到{expected}级或以上", "energy or water-efficiency grade {actual}; grade {expected} or better is required"),
    "PRICE_ABOVE_CEILING": ("单件成交价{actual}超过{expected}上限", "final price {actual} is above the ceiling of {expected}"),
    "PRICE_BELOW_FLOOR": ("新车价格{actual}低于{expected}", "the new car's price {actual} is below {expected}"),
    "NOT_HANDED_IN": ("须交回旧品", "the old item must be handed in"),
    "TRADE_IN_REQUIRED": ("须交售或报废名下旧车", "an old vehicle must be scrapped or sold"),
    "TRADE_IN_KIND_MISMATCH": ("旧品须为{expected}", "the old item must be a {expected}"),
    "DISPOSAL_MISMATCH": ("旧车处置方式须为{expected}", "the old vehicle must be disposed of by {expected}"),
    "OLD_VEHICLE_TOO_NEW": ("旧车注册登记日期{actual}晚于{expected}", "the old vehicle was first registered on {actual}, after the cut-off {expected}"),
    "OWNERSHIP_TOO_RECENT": ("旧车登记在申请人名下的日期{actual}不早于{expected}", "the old vehicle was registered to the applicant on {actual}, not before {expected}"),
    "TRANSFER_DATE_OUT_OF_RANGE": ("旧车转出日期{actual}不在规定期限{expected}内", "the old vehicle's transfer date {actual} is outside {expected}"),
    "EVIDENCE_DATE_OUT_OF_RANGE": ("证明材料日期{actual}不在规定期限{expected}内", "the evidence is dated {actual}, outside {expected}"),
    "NOT_IN_TAX_EXEMPTION_CATALOG": ("新车须列入《减免车辆购置税的新能源汽车车型目录》", "the new car must be in the purchase-tax exemption catalogue for NEVs"),
    "DISPLACEMENT_TOO_LARGE": ("燃油车排量{actual}升超过{expected}升", "the fuel car's displacement of {actual} L is above {expected} L"),
    "OLD_NEV_FOR_FUEL_CAR": ("报废新能源车购买燃油车不予补贴", "scrapping an old NEV to buy a fuel car is not subsidised"),
    "EMISSION_STANDARD_TOO_NEW": ("旧车排放标准{actual}高于{expected}", "the old vehicle's emission standard {actual} is newer than {expected}"),
    "REGISTRATION_REGION_MISMATCH": ("新车须在本地注册登记(登记地{actual})", "the new car must be registered locally (registered in {actual})"),
    "REGISTRATION_PROVINCE_MISMATCH": ("新车原则上须在购车开票的同一省份注册登记", "the new car must in principle be registered in the province where it is invoiced"),
    "NOT_REMANUFACTURED": ("须为标识为再制造产品的零部件", "the part must be a remanufactured product, marked as such"),
    "NOT_IN_REMANUFACTURING_CATALOGUE": ("再制造产品须为推广企业列入目录的型号", "the remanufactured product must be a listed model of a pilot enterprise"),
    "TEST_REPORT_REQUIRED": ("须有具备CMA资质的第三方性能检测报告", "a CMA-accredited third-party performance test report is required"),
    "EXCHANGE_PRICE_TOO_HIGH": ("推广置换价格为新品价格的{actual}，不得超过{expected}", "the exchange price is {actual} of the new part's price; at most {expected} is allowed"),
    "WARRANTY_SHORTER_THAN_NEW": ("再制造产品质保期不得短于原型新品", "the remanufactured part's warranty must not be shorter than a new part's"),
    "AMOUNT_ZERO": ("补贴金额为零", "the subsidy comes to zero"),
    "CONDITION_NOT_MET": ("{field}不符合条件", "{field} does not meet the programme's condition"),
}

# The quote's own answer when no programme is in force for the purchase's kind, region and
# date: not any programme's refusal, so it is the one code outside REFUSALS (lower case, as the
# quote contract names it); the quote then lists `nearest_windows`.
NO_PROGRAMME_IN_FORCE = "no_programme_in_force"
NO_PROGRAMME_TEXT = ("{date}在{region}没有适用于{kind}的补贴政策", "no programme for {kind} is in force in region {region} on {date}")

# Codes on lines say how the amount was reached.
LINES: dict[str, tuple[str, str]] = {
    "RATE": ("按{basis}的{rate}补贴{amount}", "{rate} of {basis} = {amount}"),
    "RATE_CAPPED": ("按{basis}的{rate}计{raw}，超过每件上限，按上限补贴{amount}", "{rate} of {basis} = {raw}, capped at {amount}"),
    "RATE_FLOORED": ("按{basis}的{rate}计{raw}，低于下限，按下限补贴{amount}", "{rate} of {basis} = {raw}, raised to the floor of {amount}"),
    "FIXED": ("定额补贴{amount}", "fixed amount of {amount}"),
    "LIMITED_TO_PRICE": ("补贴不超过成交价，补贴{amount}", "limited to the price: {amount}"),
}
