"""Stable reason codes for the participant factors, with Chinese and English text.

A code names the factor that cost points; it never changes meaning between scorecard versions,
so clients can key help pages and translations on it. `hint_*` says what would raise the score.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.credit.scorecard import ReasonText


@dataclass(frozen=True)
class ReasonEntry:
    code: str
    en: str
    zh: str
    hint_en: str
    hint_zh: str

    @property
    def text(self) -> ReasonText:
        return ReasonText(code=self.code, en=self.en, zh=self.zh)


CATALOGUE: dict[str, ReasonEntry] = {e.code: e for e in (
    ReasonEntry("IDENTITY_NOT_VERIFIED", "Identity not verified", "未完成实名认证",
                "Complete real-name verification", "完成实名认证"),
    ReasonEntry("ACCOUNT_NEW", "Account opened recently", "账户注册时间较短",
                "Keep trading: account history builds over time", "持续交易，信用记录会随时间积累"),
    ReasonEntry("FEW_TRADES", "Few completed trades", "完成交易较少",
                "Complete more orders as a buyer or a seller", "作为买家或卖家完成更多订单"),
    ReasonEntry("CANCELLATIONS", "Orders cancelled", "取消订单较多",
                "Avoid cancelling orders you have accepted", "避免取消已确认的订单"),
    ReasonEntry("DISPUTES_LOST", "Disputes decided against you", "纠纷判定责任在您",
                "Describe items accurately and resolve problems before they become disputes",
                "如实描述商品，并在纠纷发生前主动协商解决"),
    ReasonEntry("LOW_REVIEWS", "Low review ratings", "评价分数较低",
                "Ship on time and answer buyers promptly", "按时发货并及时回复买家"),
    ReasonEntry("INSPECTION_MISMATCH", "Trade-in devices did not match their description",
                "以旧换新设备质检与描述不符",
                "Declare the condition of trade-in devices accurately", "如实申报旧机成色与功能"),
    ReasonEntry("CLAWBACK_UNPAID", "Trade-in clawbacks left unpaid", "以旧换新差价追回未支付",
                "Pay outstanding clawbacks", "尽快支付待追回的差价"),
    ReasonEntry("PICKUP_NO_SHOW", "Missed pickup appointments", "上门取件爽约",
                "Keep pickup appointments or reschedule in advance", "按约等候上门取件，或提前改约"),
    ReasonEntry("WIPE_NONCOMPLIANT", "Devices without a compliant data-wipe certificate",
                "数据清除证书不合规",
                "Wipe devices to the required standard and upload the certificate",
                "按标准清除数据并上传合规证书"),
    ReasonEntry("PAYMENT_FAILURES", "Failed payments", "支付失败记录",
                "Keep your payment method funded and up to date", "保持支付方式余额充足、信息有效"),
    ReasonEntry("BUREAU_SCORE", "External credit bureau score", "外部征信评分",
                "Check your record with the credit bureau", "向征信机构核实您的信用记录"),
    ReasonEntry("SELLER_CANCELLATIONS", "Orders you cancelled as the seller", "作为卖家取消订单",
                "Sell only what you have and can hand over", "只出售现有且能交付的商品"),
    ReasonEntry("BUYER_CANCELLATIONS", "Orders you cancelled or left unpaid as the buyer",
                "作为买家取消订单或未按时付款",
                "Pay for what you order before the reservation runs out", "下单后请在保留时间内付款"),
    ReasonEntry("ORDER_NOT_SHIPPED", "Sold items never handed over to the buyer", "已售商品未交付买家",
                "Hand items over on time once the buyer has paid", "买家付款后按时交付商品"),
    ReasonEntry("PICKUP_LATE_CANCEL", "Pickups cancelled after the cut-off", "临近上门时间取消取件",
                "Cancel or reschedule pickups before the cut-off", "请在截止时间前取消或改约"),
    ReasonEntry("CERTIFICATE_REVOKED", "Data-wipe certificates revoked", "数据清除证书被撤销",
                "Wipe devices to the required standard and keep the evidence",
                "按标准清除数据并保留证据"),
    ReasonEntry("CHARGEBACKS", "Payments charged back", "交易拒付（退单）",
                "Contact the other party or support instead of charging back",
                "如有问题请先联系对方或客服，而非发起拒付"),
)}

# Factor name -> reason code.
FEATURE_REASONS: dict[str, str] = {
    "identity_verified": "IDENTITY_NOT_VERIFIED",
    "account_age_days": "ACCOUNT_NEW",
    "trades_completed": "FEW_TRADES",
    "cancellation_rate": "CANCELLATIONS",
    "dispute_loss_rate": "DISPUTES_LOST",
    "review_average": "LOW_REVIEWS",
    "inspection_mismatches": "INSPECTION_MISMATCH",
    "clawbacks_unpaid": "CLAWBACK_UNPAID",
    "pickup_no_show_rate": "PICKUP_NO_SHOW",
    "wipe_refusal_rate": "WIPE_NONCOMPLIANT",
    "payment_failures": "PAYMENT_FAILURES",
    "chargebacks": "CHARGEBACKS",
    "bureau_score": "BUREAU_SCORE",
}


def reason_texts() -> dict[str, ReasonText]:
    """Factor name -> ReasonText, for training a participant scorecard."""
    return {f: CATALOGUE[c].text for f, c in FEATURE_REASONS.items()}


def hint(code: str) -> tuple[str, str]:
    """(en, zh) advice for a reason code; generic text for codes outside the catalogue."""
    e = CATALOGUE.get(code)
    if e is None:
        return ("Improve this factor", "改善该项因素")
    return (e.hint_en, e.hint_zh)
