"""What each kind of notification says, in Chinese and English, and which outside channels it
uses when the user has not chosen. Pure: no I/O. `params` fill the {placeholders}; amounts are
passed already formatted (services.labels style "¥1,500.00")."""
from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Template:
    zh: tuple[str, str]            # (title, body)
    en: tuple[str, str]
    email: bool = True             # default when the user has no preference for the kind
    sms: bool = False
    # Account security (reset codes, password changes): emailed, never texted, whatever the
    # preferences (or a forgotten password could not be reset). Its `secret` params (a code) are
    # left out of the in-app feed: whoever holds a login (or can change the phone number) must not
    # be able to take the account over with a reset code.
    security: bool = False
    secret: tuple[str, ...] = ()


TEMPLATES: dict[str, Template] = {
    "offer_received": Template(("收到新的出价", "有人对「{title}」出价 {amount}。"),
                               ("New offer", "Someone offered {amount} for “{title}”.")),
    "order_paid": Template(("买家已付款", "「{title}」的订单已付款（{amount}），请发货或按约交付。"),
                           ("Order paid", "The order for “{title}” is paid ({amount}): ship or hand it over as agreed.")),
    "shipped": Template(("卖家已发货", "「{title}」已由{carrier}发出，运单号 {tracking}。"),
                        ("Your item shipped", "“{title}” shipped with {carrier_en}, tracking number {tracking}."),
                        sms=True),
    "delivered": Template(("包裹已签收", "「{title}」已签收，请在 {accept_by} 前确认收货或发起争议。"),
                          ("Parcel delivered", "“{title}” was delivered: accept it or open a dispute by {accept_by}."),
                          sms=True),
    "acceptance_closing": Template(("确认收货即将截止", "「{title}」将于 {accept_by} 自动确认收货。"),
                                   ("Acceptance window closing", "“{title}” will be accepted automatically at {accept_by}.")),
    "payout_sent": Template(("货款已打出", "「{title}」的货款 {amount} 已打到你的账户。"),
                            ("Payout sent", "{amount} for “{title}” was paid to your account.")),
    "refunded": Template(("退款已发起", "「{title}」的 {amount} 已退回你的付款账户。"),
                         ("Refund sent", "{amount} for “{title}” was refunded to how you paid.")),
    "dispute_opened": Template(("买家发起了争议", "「{title}」的买家发起了争议：{reason}。"),
                               ("Dispute opened", "The buyer of “{title}” opened a dispute: {reason}.")),
    "pickup_tomorrow": Template(("明天上门回收", "回收员将于 {window} 上门。"),
                                ("Pickup tomorrow", "The recycler comes {window}."), sms=True),
    "certificate_issued": Template(("数据清除证书已签发", "证书 {number} 已签发。"),
                                   ("Data-wipe certificate issued", "Certificate {number} was issued.")),
    "subsidy_reserved": Template(("补贴已预留", "已为你预留补贴 {amount}。"),
                                 ("Subsidy reserved", "A subsidy of {amount} is reserved for you.")),
    "subsidy_expired": Template(("补贴已过期", "「{title}」未按时付款，你预留的补贴 {amount} 已过期并释放。"),
                                ("Subsidy expired", "“{title}” was not paid in time: your reserved subsidy of "
                                                    "{amount} expired and was released.")),
    "shipping_deadline_missed": Template(("卖家未按时发货", "「{title}」未在 {ship_by} 前发货，你可以取消订单并全额退款。"),
                                         ("Seller did not ship in time", "“{title}” did not ship by {ship_by}: you may cancel for a full refund.")),
    "return_shipped": Template(("买家已寄回商品", "「{title}」的退货已由{carrier}寄出，运单号 {tracking}。签收后将全额退款给买家。"),
                               ("Return shipped", "The return of “{title}” shipped with {carrier_en}, tracking number "
                                                  "{tracking}. The buyer is refunded in full once it is delivered."),
                               sms=True),
    "return_delivered": Template(("退货已签收，已退款", "「{title}」的退货已签收，{amount} 已全额退还给买家。"),
                                 ("Return delivered, refunded", "The return of “{title}” was delivered: "
                                                                "{amount} is refunded to the buyer in full.")),
    "return_lapsed": Template(("退货已失效，货款已付给卖家", "「{title}」的退货未在 {deadline} 前寄出，退货已失效："
                                                           "商品归买家，{amount} 已支付给卖家。"),
                              ("Return lapsed, seller paid", "The return of “{title}” was not sent by {deadline}: "
                                                             "the return lapsed, the buyer keeps the item and "
                                                             "{amount} is paid to the seller.")),
    # Registration (services/accounts/signup.py): email only, sent whatever the address; the in-app
    # feed of an unconfirmed account is unreadable until it is confirmed.
    "confirm_email": Template(("请确认你的邮箱", "欢迎注册换新。请在 {expires} 前提交确认码以启用账户（POST {link}，"
                                                  "字段 token）：\n{token}\n如果不是你本人注册，请忽略本邮件。"),
                              ("Confirm your email address", "Welcome to Huanxin. Submit this code by {expires} to "
                                                             "activate your account (POST {link}, field token):\n"
                                                             "{token}\nIf you did not register, ignore this email.")),
    "registration_attempt": Template(("有人尝试用你的邮箱注册", "{at} 有人尝试用 {email} 注册换新账户。你已有账户，"
                                                               "无需操作；如果是你本人，请直接登录。"),
                                     ("Someone tried to register with your address",
                                      "At {at} someone tried to register a Huanxin account with {email}. You already "
                                      "have one: nothing changed. If it was you, just log in.")),
    # Forgotten passwords (services/accounts/recovery.py): email only, to a confirmed address.
    "password_reset": Template(("重置你的密码", "有人请求重置你的换新账户密码。请在 {expires} 前（{minutes} 分钟内）"
                                               "提交此重置码和新密码（POST {link}，字段 token 和 new_password）：\n"
                                               "{token}\n重置码只能使用一次。如果不是你本人操作，请忽略本邮件，"
                                               "你的密码不会改变。"),
                               ("Reset your password", "Someone asked to reset the password of your Huanxin "
                                                       "account. Submit this code with a new password by {expires} "
                                                       "(within {minutes} minutes; POST {link}, fields token and "
                                                       "new_password):\n{token}\nThe code works once. If you did "
                                                       "not ask, ignore this email: your password does not change."),
                               security=True, secret=("token",)),
    "password_changed": Template(("你的密码已更改", "你的换新账户密码已于 {at} 更改，所有设备上的登录均已退出。"
                                                   "如果不是你本人操作，请立即通过“忘记密码”重置密码并联系客服。"),
                                 ("Your password was changed", "The password of your Huanxin account was changed "
                                                               "at {at} and every login was signed out. If you did "
                                                               "not do this, reset your password now (forgotten "
                                                               "password) and contact support."),
                                 security=True),
}
KINDS = frozenset(TEMPLATES)


def money(fen: int) -> str:
    """¥1,500.00 for 150000 fen (the same in both languages)."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


class _Blank(dict):
    def __missing__(self, key):   # a missing value prints as nothing rather than failing a send
        return ""


def render(kind: str, params: dict, lang: str = "zh") -> tuple[str, str]:
    """(title, body) of a kind in `lang` (zh unless en)."""
    t = TEMPLATES[kind]
    title, body = t.en if lang == "en" else t.zh
    values = _Blank(params or {})
    return title.format_map(values), body.format_map(values)


def render_in_feed(kind: str, params: dict, lang: str = "zh") -> tuple[str, str]:
    """(title, body) as the in-app feed shows them: the kind's secret params (codes) replaced by
    a pointer to the email."""
    hidden = "（见邮件）" if lang != "en" else "(see your email)"
    return render(kind, {**(params or {}), **dict.fromkeys(TEMPLATES[kind].secret, hidden)}, lang)
