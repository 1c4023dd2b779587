"""When an account may send, by the clock on the wall where its prospects are: a daily send
window in a time zone, weekends off, and the local day a daily cap counts in. Pure.

Every moment the runner handles is UTC; a `SendWindow` turns it into local time through the
IANA zone (zoneinfo), so DST changes move the window with the clocks, as a person's office
hours move. A window whose end is not after its start runs across midnight ("22:00-06:00").
"""

from __future__ import annotations

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
    every day or, with `skip_weekends`, Monday to Friday (by the local day of the moment)."""

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
        """The moment (UTC) the next local day begins (its midnight, or the first moment after
        it on a day whose midnight a DST change skips)."""
        tomorrow = self.day(now) + timedelta(days=1)
        return _at(tomorrow, 0, self.zone)

    def is_open(self, now: datetime) -> bool:
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
        for offset in range(0, 9):  # a week of weekends and a DST day at most
            day = today + timedelta(days=offset)
            for minute in (self.start, 0):  # its opening, or midnight inside a window
                moment = _at(day, minute, self.zone)
                if moment > now and self.is_open(moment):
                    return moment
        raise AssertionError(f"a send window that never opens: {self}")  # parse_window forbids

    def describe(self, moment: datetime) -> str:
        """A moment as a person here and the prospects there read it: local time and UTC."""
        local = self.local(moment)
        if self.zone.key == "UTC":
            return iso(moment)
        return f"{local:%Y-%m-%d %H:%M} {self.zone.key} ({iso(moment)})"


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall-clock time. A time a DST change skips (02:30 on the
    spring-forward night) is taken as the first moment after the gap; a repeated one as its
    first occurrence."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    local = naive.replace(tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:  # in a gap: the clocks skip it
        moment = _gap_end(moment, zone)
    return moment


def _gap_end(moment: datetime, zone: ZoneInfo) -> datetime:
    """The first moment after a DST gap, from one inside it taken at the earlier offset."""
    after = moment.astimezone(zone).utcoffset()
    step = moment
    while step.astimezone(zone).utcoffset() == after:
        step -= timedelta(minutes=15)
    # `step` is before the change; the change is within the next 15 minutes (zones change on
    # a quarter hour at the finest)
    while step.astimezone(zone).utcoffset() != after:
        step += timedelta(minutes=1)
    return step.replace(second=0, microsecond=0)


def parse_window(text: str, zone: ZoneInfo, skip_weekends: bool) -> SendWindow:
    """`"09:00-17:30"` → a window; raises ValueError saying what is wrong."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f'must be two times like "09:00-17:30", not {text!r}')
    start, end = (_minutes(part, text) for part in parts)
    if start == end % _DAY_MINUTES:
        raise ValueError(
            f"{text!r} starts and ends at the same time; leave send_window out to send at any hour"
        )
    return SendWindow(zone, start, end, skip_weekends)


def _minutes(part: str, whole: str) -> int:
    match = _HHMM.match(part)
    if match is None:
        raise ValueError(f'must be two times like "09:00-17:30", not {whole!r}')
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return _DAY_MINUTES
    if hour > 23 or minute > 59:
        raise ValueError(f"{part.strip()!r} is not a time of day (00:00 to 24:00) in {whole!r}")
    return hour * 60 + minute
