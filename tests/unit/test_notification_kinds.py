"""Every event the trade-across-cities issue lists (offer received ... subsidy reserved or expired)
has a notification kind with Chinese and English text, and some service sends it."""
import re
from pathlib import Path

import pytest

from services.notifications.templates import KINDS, TEMPLATES, render

# Issue 16 item 4, in its order: what a user must act on or would want to know.
ISSUE_EVENTS = {
    "offer received": "offer_received", "order paid": "order_paid", "shipped": "shipped",
    "delivered": "delivered", "acceptance window closing": "acceptance_closing", "payout sent": "payout_sent",
    "dispute opened": "dispute_opened", "pickup tomorrow": "pickup_tomorrow",
    "certificate issued": "certificate_issued", "subsidy reserved": "subsidy_reserved",
    "subsidy expired": "subsidy_expired",
}
SERVICES = Path(__file__).resolve().parents[2] / "services"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _sent_kinds() -> set[str]:
    """Kinds named as the third argument of a notify(...) call anywhere in services/ (the feed's
    one entry point)."""
    found = set()
    for path in SERVICES.rglob("*.py"):
        if path.name == "templates.py":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"notify\(\s*session,[^,]+,\s*\"([a-z_]+)\"", text))
    return found


@pytest.mark.parametrize("event,kind", sorted(ISSUE_EVENTS.items()))
def test_each_listed_event_has_chinese_and_english_text(event, kind):
    assert kind in KINDS, event
    t = TEMPLATES[kind]
    for title, body in (t.zh, t.en):
        assert title.strip() and body.strip()
    assert CJK.search(t.zh[0]) and CJK.search(t.zh[1]), f"{kind}: the Chinese text is not Chinese"
    assert not CJK.search(t.en[0]), f"{kind}: the English title has Chinese in it"
    params = dict.fromkeys(re.findall(r"{(\w+)}", "".join(t.zh + t.en)), "X")
    for lang in ("zh", "en"):
        assert "{" not in "".join(render(kind, params, lang))


def test_every_kind_with_a_template_is_sent_by_some_service():
    assert set(ISSUE_EVENTS.values()) <= KINDS
    assert KINDS - _sent_kinds() == set()
