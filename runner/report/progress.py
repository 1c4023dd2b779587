"""What a run shows while it works: a bar and a countdown for a person at a terminal, one line
per row and per pause for a log (cron, systemd's journal)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TextIO

from tqdm import tqdm

from ..clock import Clock, iso
from ..plans import SendPlan
from ..schedule import Wait
from ..status import StatusCells
from .words import until as when


class BarProgress:
    """The progress bar, for a person at a terminal; while --wait sleeps, a countdown."""

    step = 1.0  # the countdown ticks each second (the clock is read as often)

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.counting = False

    def start(self, total: int) -> None:
        self.bar = tqdm(
            total=total, unit="msg", desc="sending", file=self.stream, disable=None, leave=False
        )

    def advance(self, plan: SendPlan, cells: StatusCells) -> None:
        self._end_countdown()
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        self._end_countdown()
        if self.bar is not None:
            self.bar.close()

    def paused(self, wait: Wait, detail: str) -> None:
        if self.bar is not None:
            self.bar.clear()
        print(f"Paused: {detail}. Waiting (Ctrl-C stops; the sheet is written).", file=self.stream)

    def waiting(self, until: datetime, now: datetime) -> None:
        left = max(int((until - now).total_seconds()), 0)
        hours, rest = divmod(left, 3600)
        text = f"\rresumes in {hours:d}:{rest // 60:02d}:{rest % 60:02d}  "
        self.stream.write(text)
        self.stream.flush()
        self.counting = True

    def _end_countdown(self) -> None:
        if self.counting:
            self.stream.write("\r" + " " * 24 + "\r")
            self.counting = False


class LineProgress:
    """One line per row handled, for a log (cron, systemd): its time, row, recipient, endpoint
    and status, as `key=value` fields a person and grep both read; one line per pause."""

    step = 30.0  # no countdown to draw: the clock is read this often while paused

    def __init__(self, stream: TextIO, clock: Clock) -> None:
        self.stream = stream
        self.clock = clock

    def start(self, total: int) -> None:
        pass

    def advance(self, plan: SendPlan, cells: StatusCells) -> None:
        fields = [
            f"time={iso(self.clock.now())}",
            f"row={plan.row}",
            f"recipient={plan.recipient}",
            f"endpoint={plan.endpoint}",
            f"account={plan.account or '-'}",
            f"status={cells.status}",
        ]
        if cells.detail:
            fields.append(f"detail={json.dumps(cells.detail, ensure_ascii=False)}")
        print(" ".join(fields), file=self.stream, flush=True)

    def close(self) -> None:
        pass

    def paused(self, wait: Wait, detail: str) -> None:
        now = self.clock.now()
        fields = [
            f"time={iso(now)}",
            "event=paused",
            f"until={iso(wait.until)}",
            f"reason={wait.reason}",
            f"account={wait.account or '-'}",
            f"detail={json.dumps(detail, ensure_ascii=False)}",
            f"resumes={json.dumps(when(wait.until, now))}",
        ]
        print(" ".join(fields), file=self.stream, flush=True)

    def waiting(self, until: datetime, now: datetime) -> None:
        pass


def progress_for(out: TextIO, err: TextIO, clock: Clock) -> BarProgress | LineProgress:
    """A bar when a person watches (stdout is a terminal), else a line per row for the log."""
    return BarProgress(err) if is_terminal(out) else LineProgress(out, clock)


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: not a person
        return False
