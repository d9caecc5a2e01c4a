"""The off-platform contact detector: what it catches (Chinese and English, full-width, spaced,
spelled out) and what it must leave alone (prices, models, sizes, years, IMEI-like runs)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import contact_details as cd


def kinds(text):
    return [f.kind for f in cd.find(text)]


@pytest.mark.smoke
@pytest.mark.parametrize("text,kind", [
    ("联系我 13812345678", "phone"),
    ("电话138 1234 5678随时", "phone"),
    ("call 138-1234-5678", "phone"),
    ("+86 138 1234 5678", "phone"),
    ("0086-13812345678", "phone"),
    ("手机１３８１２３４５６７８", "phone"),             # full-width digits
    ("手机 １３８　１２３４　５６７８", "phone"),        # full-width digits and ideographic spaces
    ("电话 一三八一二三四五六七八", "phone"),             # spelled in Chinese numerals
    ("电话 壹叁捌 壹贰叁肆 伍陆柒捌", "phone"),
    ("①③⑧①②③④⑤⑥⑦⑧", "phone"),                          # circled digits
    ("1 3 8 1 2 3 4 5 6 7 8 找我", "phone"),
    ("1381234 5678", "phone"),
    ("座机 0351-7654321", "phone"),
    ("(010)12345678", "phone"),
    ("客服 400-123-4567", "phone"),
    ("加微信 abc_123456", "wechat"),
    ("微信号：zhangsan", "wechat"),
    ("V信 wx_88886666", "wechat"),
    ("v信:hx2026abc", "wechat"),
    ("VX: huanxin_2026", "wechat"),
    ("ｖｘ　ｈｕａｎｘｉｎ８８", "wechat"),                # full-width
    ("wechat: john_doe88", "wechat"),
    ("WeChat ID is mike-2024", "wechat"),
    ("加V 88886666", "wechat"),
    ("绿泡泡 lvpaopao_01", "wechat"),
    ("卫星：abc12345", "wechat"),
    ("QQ 12345678", "qq"),
    ("扣扣：9876543", "qq"),
    ("qq号 10001", "qq"),
    ("企鹅 123 456 789", "qq"),
    ("Q: 55667788", "qq"),
    ("详情 https://example.com/item/1", "url"),
    ("see www.taobao.com", "url"),
    ("店铺链接 t.cn/A6abc", "url"),
    ("查询apple.com即可", "url"),
    ("mail me: seller.li+x@163.com", "email"),
    ("邮箱 ABC@QQ.COM", "email"),
    ("邮箱 abc＠qq．com", "email"),                      # full-width @ and dot
])
def test_contact_details_are_found(text, kind):
    assert kinds(text) == [kind], cd.find(text)


@pytest.mark.smoke
@pytest.mark.parametrize("text", [
    "苹果 iPhone 13 128G 几乎全新，自用，无拆修",
    "价格 2800元，可小刀", "¥1,299.00 包邮", "原价 5999 现价 3999", "售价1399.00",
    "海尔冰箱 BCD-470WDPG 一级能效", "三星 SM-S9180 12GB+512GB", "8+256GB 国行", "1TB SSD, 16GB RAM",
    "2019年购买，2023-05-01 换过电池", "2019-2023 款", "2023.05.01 保修到期", "2019款 大众朗逸 1.5L 62000公里",
    "IMEI 861234567890123", "序列号 F2LX000001", "电池健康 88%", "九成新，用了两年，一手", "RTX 4090 24G",
    "小米 MI 13 Pro", "vivo X100 Pro", "VX90 耳机", "支持微信支付", "微信 支付宝 都可以", "可微信 payment",
    "QQ音乐会员 2023年", "支持 qq 2023款", "尺寸 180x90x60cm", "功率 1500W 220V", "1.5匹 空调 3.0T",
    "电话联系请走平台私信", "email me through the app", "版本 v2.0.1", "屏幕 6.1英寸 2532x1170",
    "行驶 138000 公里", "型号 A2894 / MLPF3CH/A", "3 5 7 9 11 13 15", "生产日期 20230501",
    "序列号 C02XK13812345678", "SN13912345678X", "零件号 B03517654321", "货号 HX4001234567",
])
def test_ordinary_listing_text_is_left_alone(text):
    assert cd.find(text) == [], cd.find(text)


def test_spans_point_into_the_original_text_and_mask_replaces_them():
    text = "九成新，微信 abc_123456，电话 １３８ １２３４ ５６７８ 谢谢"
    found = cd.find(text)
    assert [f.kind for f in found] == ["wechat", "phone"]
    assert text[found[0].start:found[0].end] == "微信 abc_123456"
    assert text[found[1].start:found[1].end] == "１３８ １２３４ ５６７８"
    assert cd.mask(text) == "九成新，***，电话 *** 谢谢"


def test_wider_finding_wins_where_two_overlap():
    assert kinds("微信 13812345678") == ["wechat"]
    assert kinds("邮箱 me@example.com") == ["email"]


def test_reason_names_each_kind_once_and_field_errors_name_the_field():
    found = cd.find("QQ 12345678 or 13812345678 or 13912345678")
    assert cd.reason(found).startswith("Contains a QQ number (QQ号); Contains a phone number (电话号码)")
    assert cd.reason(found).count("phone") == 1
    errors = cd.field_errors(title="好冰箱", description="微信 abc_123456")
    assert list(errors) == ["description"] and "WeChat" in errors["description"][0]
    assert cd.field_errors(title="好冰箱", description=None) == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789 -.年款GB+元,") + ["iPhone", "苹果"]), max_size=40).map("".join))
def test_a_run_not_shaped_like_a_phone_number_is_never_a_phone(text):
    # Whatever the generator builds, a phone finding must cover exactly 11 digits starting 1[3-9]
    # (or be a landline/hotline with its area code).
    for f in cd.find(text):
        digits = "".join(c for c in text[f.start:f.end] if c.isdigit())
        assert f.kind == "phone"
        assert (len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789") or digits[0] in "048"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_ordered_non_overlapping_spans(text):
    found = cd.find(text)
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start
    for f in found:
        assert 0 <= f.start < f.end <= len(text) and f.kind in cd.KINDS
