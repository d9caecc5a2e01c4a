"""The four pickup messages (bilingual), sent through the configured notifier."""
from __future__ import annotations

from services.clock import SHANGHAI, local_iso
from services.notifications.interface import Message, Notifier, notify
from services.pickups.models import Booking


def _window(b: Booking) -> str:
    # China Standard Time with the offset written out (services.clock.local_text), whoever reads it.
    a, z = b.starts_at.astimezone(SHANGHAI), b.ends_at.astimezone(SHANGHAI)
    return f"{a:%Y-%m-%d %H:%M}-{z:%H:%M} (UTC+08:00)"


def _recycler_name(b: Booking) -> str:
    return b.recycler.org.name if b.recycler else "回收商 recycler"


def _send(notifier: Notifier, session, b: Booking, kind: str, title: str, body: str, recipients=None,
          **data) -> None:
    for rid in recipients or (b.consumer_id,):
        notifier.send(session, Message(recipient_id=rid, kind=kind, title=title, body=body,
                                       ref_type="pickup", ref_id=str(b.id),
                                       data={"pickup_id": str(b.id), "starts_at": b.starts_at.isoformat(),
                                             "starts_at_local": local_iso(b.starts_at), **data}))


def booking_confirmed(notifier: Notifier, session, b: Booking) -> None:
    recipients = {b.consumer_id, b.booked_by_id}
    _send(notifier, session, b, "pickup_confirmed", "上门回收已预约 / Pickup confirmed",
          f"{_recycler_name(b)} 将于北京时间 {_window(b)} 上门回收。 / {_recycler_name(b)} will collect at "
          f"{_window(b)}, Beijing time.", sorted(recipients, key=str))


def reminder(notifier: Notifier, session, b: Booking) -> None:
    _send(notifier, session, b, "pickup_reminder", "明天上门回收 / Pickup tomorrow",
          f"提醒：北京时间 {_window(b)} 上门回收。 / Reminder: your pickup is at {_window(b)}, Beijing time.")
    notify(session, b.consumer_id, "pickup_tomorrow", event_key=f"pickup:{b.id}:{b.starts_at.isoformat()}",
                params={"window": _window(b)}, ref_type="pickup", ref_id=b.id)


def collector_en_route(notifier: Notifier, session, b: Booking) -> None:
    name = b.collector.name if b.collector else ""
    _send(notifier, session, b, "pickup_en_route", "回收员已出发 / Collector on the way",
          f"回收员 {name} 已出发。 / Collector {name} is on the way.", collector=name)


def collected(notifier: Notifier, session, b: Booking, voucher_id: str, number: str) -> None:
    _send(notifier, session, b, "pickup_collected", "已回收 / Collected",
          f"已回收，回收凭证 {number}。 / Collected; recycling voucher {number}.",
          voucher_id=voucher_id, voucher_number=number)
