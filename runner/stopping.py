"""Stopping on request (SIGTERM from systemd or Docker, SIGHUP from a closed terminal, Ctrl-C).

The first request stops the run gracefully: a send on the wire is let finish, so its row ends
sent or failed rather than unknown; no new send starts; the statuses are written; the summary
is printed. A request that comes while the run only waits (human pacing, a pause between
retries) stops it at once: nothing is on the wire, so the row simply stays pending. A second
request stops at once, whatever is under way.

The CLI turns signals into `StopRequest.request`; the core sleeps through a `StoppableClock`
and checks `requested` between sends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from .clock import Clock


class Stopped(BaseException):
    """Raised where a stop must cut in at once. A BaseException, like KeyboardInterrupt, so no
    `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopRequest:
    def __init__(self) -> None:
        self.signum: int | None = None  # the signal that asked the run to stop
        self._waiting = 0  # > 0 while the run only waits: a stop then cuts in at once

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def request(self, signum: int) -> None:
        """Ask the run to stop (from a signal handler)."""
        first = self.signum is None
        if first:
            self.signum = signum
        if not first or self._waiting:
            raise Stopped(signum)

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """While inside, a stop request cuts in at once."""
        if self.signum is not None:
            raise Stopped(self.signum)
        self._waiting += 1
        try:
            yield
        finally:
            self._waiting -= 1


class StoppableClock:
    """A clock whose sleeps a stop request cuts short."""

    def __init__(self, clock: Clock, stop: StopRequest) -> None:
        self.clock = clock
        self.stop = stop

    def now(self) -> datetime:
        return self.clock.now()

    def sleep(self, seconds: float) -> None:
        with self.stop.waiting():
            self.clock.sleep(seconds)


SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


@contextmanager
def on_signals(stop: StopRequest) -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into stop requests while inside (main thread only)."""
    previous = {}
    try:
        for signum in SIGNALS:
            previous[signum] = signal.signal(signum, lambda n, _frame: stop.request(n))
    except ValueError:  # not the main thread: leave signals as they are
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
