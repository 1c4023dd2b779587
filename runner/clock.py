"""Time, injected: everything that reads the time or sleeps takes a Clock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, UTC."""

    def sleep(self, seconds: float) -> None:
        """Wait; a fake clock just moves on."""

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until `event` is set, `seconds` at most; whether it was set."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(seconds, 0))


class FakeClock:
    """A clock for tests and simulations: `sleep` advances time instantly.

    Thread-safe, because a sandbox behind the tests' loopback server reads it from that thread.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            if seconds > 0:
                self._now += timedelta(seconds=seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """An event already set ends the wait at once; else the time passes, as `sleep`."""
        if event.is_set():
            return True
        self.sleep(seconds)
        return event.is_set()

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds, **kwargs)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: the form written to sheets and the journal."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
