"""The text Excel shows for a cell value and its number format.

Pure: no workbook, no I/O. The sheet reader feeds it what openpyxl returns (a cached value and the
cell's number format string), so a recipient ID typed as a number reads as `12345678`, never
`12345678.0`, and an ID kept with leading zeros through the format `00000000` keeps them.

Formats handled: General and `@`; `0`, `00000` (zero padding), `0.00`, `#,##0`, `#,##0.00`, `0%`,
`0.00%`; date and time formats made of the usual tokens (`yyyy-mm-dd`, `m/d/yyyy`, `dd.mm.yyyy`,
`h:mm:ss`, `AM/PM`, ...). Anything else falls back to General for numbers and to ISO 8601 for dates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

_FIXED = re.compile(r"(?P<grouping>#,##)?(?P<zeros>0+)(?:\.(?P<decimals>0+))?(?P<percent>%)?")
_SECTION = re.compile(r'(?:"[^"]*"|\\.|[^;])*')  # up to the first ";" outside quotes
# Bracketed parts that change colour, locale or currency but not the digits: "[Red]", "[$-409]".
_DECORATION = re.compile(r"\[(?![hms]+\])[^\]]*\]", re.IGNORECASE)
_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|AM/PM|A/P|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|\.0+|[-/.:, ]',
    re.IGNORECASE,
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def display_text(value: object, number_format: str | None = "General") -> str:
    """The text Excel would show for `value` formatted with `number_format`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    fmt = _first_section(number_format or "General")
    if isinstance(value, datetime | date | time):
        return _format_moment(value, fmt)
    if isinstance(value, timedelta):
        return _format_duration(value)
    if isinstance(value, int | float | Decimal):
        return _format_number(value, fmt)
    return str(value)


def zero_pad(number_format: str) -> int:
    """The width a format pads a whole number to with zeros ("00000", a postcode's: 5; "0": 1),
    as `display_text` shows a non-negative int in it; 0 for any other format."""
    fixed = _fixed(_first_section(number_format or "General"))
    if fixed is None or fixed["grouping"] or fixed["decimals"] or fixed["percent"]:
        return 0
    return len(fixed["zeros"])


@lru_cache(maxsize=512)
def _first_section(number_format: str) -> str:
    """The part of a format used for positive numbers, without colour and locale codes."""
    section = _SECTION.match(number_format)
    assert section is not None  # the pattern matches the empty string
    return _DECORATION.sub("", section.group(0)).strip()


@lru_cache(maxsize=512)
def _fixed(fmt: str) -> re.Match[str] | None:
    return _FIXED.fullmatch(fmt)


def _format_number(value: int | float | Decimal, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    fixed = _fixed(fmt)
    if fixed is None:
        return _general(value)
    if isinstance(value, int) and not fixed["decimals"] and not fixed["percent"]:
        # What the Decimal path below gives an integer, without it (postcodes, IDs).
        digits = (
            f"{abs(value):,d}" if fixed["grouping"] else str(abs(value)).zfill(len(fixed["zeros"]))
        )
        return ("-" if value < 0 else "") + digits
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if fixed["percent"]:
        number *= 100
    decimals = len(fixed["decimals"] or "")
    # A float can have 300+ digits before the point; the default 28-digit context would refuse.
    with localcontext(prec=400):
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(abs(number), ",f" if fixed["grouping"] else "f")
    whole, point, fraction = text.partition(".")
    if not fixed["grouping"]:
        whole = whole.zfill(len(fixed["zeros"]))
    return sign + whole + point + fraction + (fixed["percent"] or "")


def _general(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if value == int(value):
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _format_moment(value: date | time, fmt: str) -> str:
    plan = _moment_plan(fmt)
    moment = _as_datetime(value, plan.fraction)
    if not plan.understood or (isinstance(value, time) and plan.has_date):
        return _iso(value, moment)
    return "".join([render(moment) for render in plan.renders])


class _MomentPlan:
    """How a date format shows a moment: one function per token."""

    def __init__(self, fmt: str) -> None:
        tokens = _DATE_TOKEN.findall(fmt)
        minutes = [_is_minute(tokens, i) for i in range(len(tokens))]
        kinds = {t[0].lower() for t, minute in zip(tokens, minutes, strict=True) if not minute}
        self.understood = "".join(tokens) == fmt and bool(kinds & set("ymdhs") or any(minutes))
        self.has_date = bool(kinds & set("ymd"))
        self.fraction = next((len(t) - 1 for t in tokens if t.startswith(".0")), 0)
        twelve_hour = any(t.upper() in ("AM/PM", "A/P") for t in tokens)
        self.renders = [
            _renderer(token, twelve_hour, minute)
            for token, minute in zip(tokens, minutes, strict=True)
        ]


@lru_cache(maxsize=256)
def _moment_plan(fmt: str) -> _MomentPlan:
    return _MomentPlan(fmt)


def _as_datetime(value: date | time, fraction_digits: int) -> datetime:
    if isinstance(value, datetime):
        if not value.microsecond and value.tzinfo is None:
            return value  # a whole second, as below makes it, without the work: most dates
        moment = value.replace(tzinfo=None)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = datetime.combine(date(1900, 1, 1), value.replace(tzinfo=None))
    # Excel rounds to the shown precision; stored serials are often a hair off (10:29:59.9996).
    step = 10 ** (6 - fraction_digits)
    micro = round(moment.microsecond / step) * step
    return moment.replace(microsecond=0) + timedelta(microseconds=micro)


def _iso(value: date | time, moment: datetime) -> str:
    if isinstance(value, time):
        return moment.strftime("%H:%M:%S")
    if isinstance(value, datetime) and moment.time() != time(0):
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d")


def _is_minute(tokens: list[str], i: int) -> bool:
    """`m`/`mm` means minutes right after an hour or right before seconds, months otherwise."""
    if tokens[i].lower() not in ("m", "mm"):
        return False
    before = [t.lower()[0] for t in tokens[:i] if t[0].isalpha()]
    after = [t.lower()[0] for t in tokens[i + 1 :] if t[0].isalpha() and t.upper() != "AM/PM"]
    return (bool(before) and before[-1] == "h") or (bool(after) and after[0] == "s")


def _renderer(token: str, twelve_hour: bool, minute: bool) -> Callable[[datetime], str]:
    """What `token` shows of a moment."""
    lower = token.lower()
    if token.startswith(('"', "\\")):  # text in quotes, or one character escaped
        text = token[1:-1] if token.startswith('"') else token[1:]
        return lambda m: text
    width = len(token)
    if token.startswith(".0"):
        return lambda m: "." + f"{m.microsecond:06d}"[: width - 1]
    if token.upper() == "AM/PM":
        return lambda m: "AM" if m.hour < 12 else "PM"
    if token.upper() == "A/P":
        return lambda m: "A" if m.hour < 12 else "P"
    if minute:
        return lambda m: f"{m.minute:0{width}d}"
    if lower in ("hh", "h"):
        if twelve_hour:
            return lambda m: f"{m.hour % 12 or 12:0{width}d}"
        return lambda m: f"{m.hour:0{width}d}"
    return _SIMPLE.get(lower, lambda m: token)


_SIMPLE: dict[str, Callable[[datetime], str]] = {
    "yyyy": lambda m: f"{m.year:04d}",
    "yy": lambda m: f"{m.year % 100:02d}",
    "mmmmm": lambda m: _MONTHS[m.month - 1][0],
    "mmmm": lambda m: _MONTHS[m.month - 1],
    "mmm": lambda m: _MONTHS[m.month - 1][:3],
    "mm": lambda m: f"{m.month:02d}",
    "m": lambda m: str(m.month),
    "dddd": lambda m: _DAYS[m.weekday()],
    "ddd": lambda m: _DAYS[m.weekday()][:3],
    "dd": lambda m: f"{m.day:02d}",
    "d": lambda m: str(m.day),
    "ss": lambda m: f"{m.second:02d}",
    "s": lambda m: str(m.second),
}


def _format_duration(value: timedelta) -> str:
    """Elapsed time as `[h]:mm:ss` shows it."""
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
