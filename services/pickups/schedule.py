"""A recycler's slot grid: working hours in Asia/Shanghai, holidays and slot length. Pure.

Working hours map an ISO weekday ("1" = Monday … "7" = Sunday) to windows of local time, e.g.
{"1": [["08:00", "12:00"], ["13:30", "18:00"]]}. Slots start at each window's opening and
every `slot_minutes` after, as long as the whole slot fits in the window. Times are computed in
local time and returned in UTC (China has no daylight saving, but the code does not rely on it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from services.clock import SHANGHAI


@dataclass(frozen=True)
class Hours:
    windows: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date]
    slot_minutes: int

    @classmethod
    def parse(cls, working_hours: dict, holidays, slot_minutes: int) -> "Hours":
        return cls(parse_windows(working_hours), frozenset(date.fromisoformat(str(d)) for d in holidays or ()),
                   slot_minutes)


def _hhmm(value: str) -> time:
    hh, mm = str(value).split(":")
    return time(int(hh), int(mm))


def parse_windows(working_hours: dict) -> dict[int, tuple[tuple[time, time], ...]]:
    """Validated windows per weekday; raises ValueError naming the problem."""
    out: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, windows in (working_hours or {}).items():
        day = int(key)
        if not 1 <= day <= 7:
            raise ValueError(f"weekday {key!r} is not 1 (Monday) to 7 (Sunday)")
        parsed = sorted((_hhmm(a), _hhmm(b)) for a, b in windows)
        for a, b in parsed:
            if a >= b:
                raise ValueError(f"window {a:%H:%M}-{b:%H:%M} on day {day} ends before it starts")
        for (_, b1), (a2, _) in zip(parsed, parsed[1:]):
            if a2 < b1:
                raise ValueError(f"windows overlap on day {day}")
        out[day] = tuple(parsed)
    return out


def local_day_slots(hours: Hours, day: date) -> list[datetime]:
    """Slot starts (UTC) on one local calendar day; none on holidays."""
    if day in hours.holidays:
        return []
    step = timedelta(minutes=hours.slot_minutes)
    out = []
    for a, b in hours.windows.get(day.isoweekday(), ()):
        cur = datetime.combine(day, a, SHANGHAI)
        end = datetime.combine(day, b, SHANGHAI)
        while cur + step <= end:
            out.append(cur.astimezone(timezone.utc))
            cur += step
    return out


def slot_starts(hours: Hours, start: datetime, end: datetime) -> list[datetime]:
    """Every slot start s (UTC) with start <= s < end."""
    day = start.astimezone(SHANGHAI).date()
    last = end.astimezone(SHANGHAI).date()
    out = []
    while day <= last:
        out.extend(s for s in local_day_slots(hours, day) if start <= s < end)
        day += timedelta(days=1)
    return out


def is_slot_start(hours: Hours, at: datetime) -> bool:
    return at in local_day_slots(hours, at.astimezone(SHANGHAI).date())


def slot_containing(hours: Hours, at: datetime) -> datetime | None:
    """The start of the slot that contains `at`, if `at` falls in working hours."""
    step = timedelta(minutes=hours.slot_minutes)
    for s in local_day_slots(hours, at.astimezone(SHANGHAI).date()):
        if s <= at < s + step:
            return s
    return None


def local_date(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()
