"""When an account may send, by the clock on the wall where its prospects are: a daily send
window in a time zone, weekends off, and the local day a daily cap counts in. Pure.

Every moment the runner handles is UTC; a `SendWindow` turns it into local time through the
IANA zone (zoneinfo), so DST changes move the window with the clocks, as a person's office
hours move. A window whose end is not after its start runs across midnight ("22:00-06:00").
The wall clock decides even on a DST night: an opening the clocks skip (02:30 when they jump
from 02:00 to 03:00) is the first moment after the jump, and an hour the clocks repeat is in
the window both times it shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .clock import iso

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_DAY_MINUTES = 24 * 60
SATURDAY = 5


@dataclass(frozen=True)
class SendWindow:
    """Sending is allowed from `start` to `end` (minutes after local midnight, end excluded),
    every day or, with `skip_weekends`, Monday to Friday.

    The weekend is the local Saturday and Sunday, whatever the window: nothing is sent on them.
    A window across midnight ("22:00-06:00") so sends on Friday from 22:00 to midnight but not
    on Saturday morning, and on Monday from midnight to 06:00 but not on Sunday evening: each
    moment is judged by its own local day, not by the day its night began.
    """

    zone: ZoneInfo = ZoneInfo("UTC")
    start: int = 0
    end: int = _DAY_MINUTES
    skip_weekends: bool = False

    @property
    def always(self) -> bool:
        return self.start == 0 and self.end == _DAY_MINUTES and not self.skip_weekends

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.zone)

    def day(self, now: datetime) -> date:
        """The local day `now` falls on: the day a daily cap counts in."""
        return self.local(now).date()

    def next_day(self, now: datetime) -> datetime:
        """The moment (UTC) the next local day begins: its midnight (the first, where the clocks
        repeat it), or the first moment after it where a DST change skips it. A day 23 or 25
        hours long ends where the clocks say."""
        tomorrow = self.day(now) + timedelta(days=1)
        return _at(tomorrow, 0, self.zone)

    def is_open(self, now: datetime) -> bool:
        """Whether the local clock at `now` is inside the window on a day it sends."""
        local = self.local(now)
        if self.skip_weekends and local.weekday() >= SATURDAY:
            return False
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end  # across midnight

    def next_open(self, now: datetime) -> datetime:
        """`now` if the window is open, else the moment (UTC) it next opens."""
        if self.is_open(now):
            return now
        today = self.day(now)
        for offset in range(9):  # past a weekend, and a day a DST change takes the window from
            day = today + timedelta(days=offset)
            opened = [m for m in self._openings(day) if m > now and self.is_open(m)]
            if opened:
                return min(opened)
        raise AssertionError(f"a send window that never opens: {self}")  # parse_window forbids

    def _openings(self, day: date) -> list[datetime]:
        """The moments of a local day the window may open at: its start; the day's midnight (a
        Monday after a weekend, a window across midnight); each at both readings of a repeated
        hour; and a DST change that day, which may set the clocks into the window."""
        times = [_at(day, minute, self.zone, fold) for minute in (0, self.start) for fold in (0, 1)]
        return times + _changes(day, self.zone)

    def describe(self, moment: datetime) -> str:
        """A moment as a person here and the prospects there read it: local time and UTC."""
        local = self.local(moment)
        if self.zone.key == "UTC":
            return iso(moment)
        return f"{local:%Y-%m-%d %H:%M} {self.zone.key} ({iso(moment)})"


def _at(day: date, minute: int, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The UTC moment of a local wall-clock time. A time a DST change skips (02:30 on the
    spring-forward night) is taken as the first moment after the gap; a repeated one as its
    first reading (`fold=0`) or its second (`fold=1`)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    moment = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == naive:
        return moment
    # in a gap: the two readings fall either side of the change (PEP 495)
    first, second = (naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    return _change(min(first, second), max(first, second), zone)


def _changes(day: date, zone: ZoneInfo) -> list[datetime]:
    """The DST change during a local day, if there is one."""
    begin, end = _at(day, 0, zone), _at(day + timedelta(days=1), 0, zone)
    if begin.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset():
        return []
    return [_change(begin, end, zone)]


def _change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The moment the offset changes between two moments with different offsets (zones
    change on a whole second), found by halving."""
    offset = after.astimezone(zone).utcoffset()
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def parse_window(text: str, zone: ZoneInfo, skip_weekends: bool) -> SendWindow:
    """`"09:00-17:30"` → a window (`"22:00-06:00"` runs across midnight, `"24:00"` or
    `"00:00"` ends one at midnight); raises ValueError saying what is wrong, as the end of a
    sentence naming the setting."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f'must be two times like "09:00-17:30", not {text!r}')
    start, end = (_minutes(part, text) for part in parts)
    if start == end:
        raise ValueError(
            f"starts and ends at the same time ({text!r}); leave send_window out to send at "
            "any hour"
        )
    if start == _DAY_MINUTES:
        raise ValueError(f"starts at 24:00 ({text!r}), which can only end a window; use 00:00")
    return SendWindow(zone, start, end or _DAY_MINUTES, skip_weekends)


def _minutes(part: str, whole: str) -> int:
    match = _HHMM.match(part)
    if match is None:
        raise ValueError(f'must be two times like "09:00-17:30", not {whole!r}')
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return _DAY_MINUTES
    if hour > 23 or minute > 59:
        raise ValueError(f"has {part.strip()!r}, which is not a time of day (00:00 to 24:00)")
    return hour * 60 + minute
