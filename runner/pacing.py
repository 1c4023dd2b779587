"""How each account sends like a person: pauses between sends, an own daily cap below the API's
quota, a warm-up for new accounts, office hours in the prospects' time zone. The `[pacing]`
table sets them for every account; an `[accounts.NAME]` table overrides any of them for one.
Read and checked here; `window.py` answers the clock questions. Pure.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import ConfigError
from .keys import Schema, check_table
from .window import SendWindow, parse_window


@dataclass(frozen=True)
class Warmup:
    """A new account's own cap: `start` on its first active day, `step` more each active day
    after (a day it sent anything), up to the daily limit."""

    start: int
    step: int


@dataclass(frozen=True)
class Pacing:
    min_delay: float = 20.0
    max_delay: float = 60.0
    daily_limit: int | None = None  # the account's own cap a day, below the API's quota
    window: SendWindow = field(default_factory=SendWindow)
    warmup: Warmup | None = None

    def cap(self, active_days: int) -> int | None:
        """The account's own cap today, after `active_days` earlier days it sent on; None when
        only the API's quota limits it."""
        if self.warmup is None:
            return self.daily_limit
        warm = self.warmup.start + self.warmup.step * active_days
        return warm if self.daily_limit is None else min(warm, self.daily_limit)


_NUMBER = ((int, float), "a number", False)
_WHOLE = ((int,), "a whole number", False)
PACING_SCHEMA: Schema = {
    "min_delay": _NUMBER,
    "max_delay": _NUMBER,
    "daily_limit": _WHOLE,
    "send_window": ((str,), 'a string like "09:00-17:30"', False),
    "timezone": ((str,), 'a string like "Europe/Berlin"', False),
    "skip_weekends": ((bool,), "true or false", False),
    "warmup": ((dict,), "a table like { start = 10, step = 5 }", False),
}
_WARMUP: Schema = {"start": ((int,), "a whole number", True), "step": _WHOLE}


def read_pacing(
    base: Mapping[str, Any], accounts: Mapping[str, Any], where: str
) -> tuple[Pacing, dict[str, Pacing]]:
    """`[pacing]` and every `[accounts.NAME]` table → the pacing of accounts without a table
    and of each named one (its keys over `[pacing]`'s)."""
    check_table(dict(base), PACING_SCHEMA, where, "pacing")
    default = _pacing(base, where, "pacing")
    named: dict[str, Pacing] = {}
    sections: dict[str, str] = {}
    for name, table in accounts.items():
        section = f"accounts.{name}"
        if not name.strip():
            raise ConfigError(f"{where}: [accounts] names an account with an empty name")
        if name.strip() in sections:
            raise ConfigError(
                f"{where}: [{sections[name.strip()]}] and [{section}] name the same account; "
                "keep one table"
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"{where}: [{section}] must be a table of pacing keys ({', '.join(PACING_SCHEMA)})"
            )
        check_table(table, PACING_SCHEMA, where, section)
        inherited = [key for key in base if key not in table]
        named[name.strip()] = _pacing({**base, **table}, where, section, inherited)
        sections[name.strip()] = section
    return default, named


def _pacing(
    table: Mapping[str, Any], where: str, section: str, inherited: Collection[str] = ()
) -> Pacing:
    for key, value in table.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{where}: {key} in [{section}] must be a finite number, not {value}")
    pacing = Pacing(
        min_delay=float(table.get("min_delay", 20.0)),
        max_delay=float(table.get("max_delay", 60.0)),
        daily_limit=table.get("daily_limit"),
        window=_window(table, where, section),
        warmup=_warmup(table.get("warmup"), where, section),
    )
    if not 0 <= pacing.min_delay <= pacing.max_delay:
        got = " and ".join(
            f"{key} = {value:g}{_origin(key, table, inherited)}"
            for key, value in (("min_delay", pacing.min_delay), ("max_delay", pacing.max_delay))
        )
        raise ConfigError(f"{where}: [{section}] needs 0 <= min_delay <= max_delay (got {got})")
    if pacing.daily_limit is not None and pacing.daily_limit < 1:
        raise ConfigError(
            f"{where}: daily_limit in [{section}] must be at least 1, not {pacing.daily_limit}"
            " (leave the account out of the campaign to send nothing from it)"
        )
    return pacing


def _origin(key: str, table: Mapping[str, Any], inherited: Collection[str]) -> str:
    """Where a value the user did not write in this table came from: the puzzle in an error."""
    if key in inherited:
        return " (from [pacing])"
    return "" if key in table else " (the default)"


def _window(table: Mapping[str, Any], where: str, section: str) -> SendWindow:
    # skip_weekends = false asks nothing of a clock
    local = [key for key in ("send_window", "skip_weekends") if table.get(key, False) is not False]
    if "timezone" not in table:
        if local:
            also = "" if section == "pacing" else f", in [{section}] or [pacing]"
            raise ConfigError(
                f"{where}: {local[0]} in [{section}] needs a timezone beside it{also} (an IANA "
                'name such as timezone = "Europe/Berlin"): hours and weekends are read on the '
                "clock where your prospects are"
            )
        return SendWindow()
    zone = _zone(table["timezone"], where, section)
    skip = bool(table.get("skip_weekends", False))
    if "send_window" not in table:
        return SendWindow(zone, skip_weekends=skip)
    try:
        return parse_window(table["send_window"], zone, skip)
    except ValueError as err:
        raise ConfigError(f"{where}: send_window in [{section}] {err}") from None


def _zone(name: str, where: str, section: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    # a folder of the tz database ("Europe") is an OSError; a path outside it a ValueError
    except (ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(name.strip(), available_timezones(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"{where}: timezone in [{section}]: {name!r} is not a time zone name{hint}; use an "
            'IANA name such as "Europe/Berlin", "America/New_York" or "UTC"'
        ) from None


def _warmup(table: Mapping[str, Any] | None, where: str, section: str) -> Warmup | None:
    if table is None:
        return None
    check_table(dict(table), _WARMUP, where, f"{section}.warmup")
    warmup = Warmup(start=table["start"], step=table.get("step", 0))
    if warmup.start < 1 or warmup.step < 0:
        raise ConfigError(
            f"{where}: warmup in [{section}] needs start of 1 or more and step of 0 or more "
            f"(got start = {warmup.start}, step = {warmup.step})"
        )
    return warmup
