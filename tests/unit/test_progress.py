"""What a run shows while --wait sleeps: at a terminal a line saying why and a countdown that
rewrites itself; in a log one `event=paused` line a person and grep both read."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from runner.clock import FakeClock
from runner.report.progress import BarProgress, LineProgress
from runner.schedule import Wait, WaitReason

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
WAIT = Wait(NOW + timedelta(hours=2, minutes=5, seconds=3), WaitReason.WINDOW, "acc_1")


def test_a_terminal_gets_the_reason_then_a_countdown_on_one_line():
    stream = io.StringIO()
    bar = BarProgress(stream)
    bar.paused(WAIT, "outside the send window of account acc_1; it opens 11:05")
    bar.waiting(WAIT.until, NOW)
    bar.waiting(WAIT.until, NOW + timedelta(seconds=1))
    text = stream.getvalue()
    assert text.startswith("Paused: outside the send window of account acc_1; it opens 11:05.")
    assert "\rresumes in 2:05:03" in text and "\rresumes in 2:05:02" in text
    assert text.count("\n") == 1  # the countdown rewrites its own line
    assert bar.step == 1.0


def test_a_log_gets_one_line_per_pause():
    stream = io.StringIO()
    log = LineProgress(stream, FakeClock(NOW))
    log.paused(WAIT, "outside the send window")
    log.waiting(WAIT.until, NOW)
    assert stream.getvalue() == (
        "time=2026-01-15T09:00:00Z event=paused until=2026-01-15T11:05:03Z reason=window "
        'account=acc_1 detail="outside the send window" '
        'resumes="2026-01-15T11:05:03Z (in 2h 5m)"\n'
    )
    assert log.step == 30.0
