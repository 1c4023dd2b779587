"""Stopping on request (SIGTERM from systemd or Docker, SIGHUP from a closed terminal, Ctrl-C).

The first request stops the run gracefully: a send on the wire is let finish, so its row ends
sent or failed rather than unknown; no new send starts; the statuses are written; the summary
is printed. A request that comes while the run only waits (human pacing, a pause between
retries) stops it at once: nothing is on the wire, so the row simply stays pending. A second
request stops at once, whatever is under way.

The CLI turns signals into `StopRequest.request`; the core sleeps through a `StoppableClock`
and checks `requested` between sends. Signals reach the main thread only: a sender thread's
pause (between retries) ends through an event the request sets, and the send is abandoned
there, before its next attempt leaves.
"""

from __future__ import annotations

import signal
import threading
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
        self._waiting = 0  # > 0 while the main thread only waits: a stop then cuts in at once
        self.flag = threading.Event()  # set by the first request: sender threads' pauses end

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def request(self, signum: int) -> None:
        """Ask the run to stop (from a signal handler)."""
        first = self.signum is None
        if not first:
            raise Stopped(signum)
        self.signum = signum
        self.flag.set()  # a second signal cannot land inside this: it raises above instead
        if self._waiting:
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
        if threading.current_thread() is threading.main_thread():
            with self.stop.waiting():
                self.clock.sleep(seconds)
        elif self.stop.requested or self.clock.wait(self.stop.flag, seconds):
            assert self.stop.signum is not None
            raise Stopped(self.stop.signum)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait for `event` (a sender's answer), in short steps so that a stop request is
        seen at once; True when the event came or a stop was asked for."""
        end = self.clock.now().timestamp() + seconds
        while not self.stop.requested:
            left = end - self.clock.now().timestamp()
            if left <= 0:
                return event.is_set()
            if self.clock.wait(event, min(left, STEP)):
                return True
        return True


# How often a wait with sends under way looks at a stop request.
STEP = 0.25


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
