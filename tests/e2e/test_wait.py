"""--wait: one command for the whole campaign. It sleeps through every pause (a spent quota, a
closed window, a daily cap), writes the sheet at each, reads the clock in short steps, and ends
when all is sent (exit 0) or a signal stops it (written back, exit 128 + signal)."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

from runner.clock import FakeClock
from runner.plans import Endpoint
from runner.sandbox import Sandbox, transport
from runner.schedule import WaitReason
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process
from tests.support.faults import Fault, FaultKind
from tests.support.process import start


class Watch:
    """A run's progress, as a test sees it: each pause, with the sheet as written then."""

    step = 30.0

    def __init__(self, files, clock):
        self.files, self.clock = files, clock
        self.pauses: list[tuple[WaitReason, datetime, list[str]]] = []
        self.ticks = 0
        self.sent_at: list[datetime] = []

    def start(self, total):
        pass

    def advance(self, plan, cells):
        self.sent_at.append(self.clock.now())

    def close(self):
        pass

    def paused(self, wait, detail):
        statuses = [row["status"] for row in self.files.rows()]
        self.pauses.append((wait.reason, wait.until, statuses))

    def waiting(self, until, now):
        self.ticks += 1


def test_wait_carries_on_across_sandbox_days_until_all_is_sent(tmp_path, clock):
    files = make_campaign(tmp_path, people(7))
    sim = Sandbox(API_KEY, clock, day_seconds=600, limits={Endpoint.MESSAGE: 3})
    watch = Watch(files, clock)
    report = run_in_process(files, clock, transport(sim), options={"wait": True}, progress=watch)
    assert report.exit_code == 0 and report.sent == 7
    assert [reason for reason, _, _ in watch.pauses] == [WaitReason.QUOTA, WaitReason.QUOTA]
    # The sheet was written at each pause, with what was sent by then.
    assert watch.pauses[0][2] == ["sent"] * 3 + ["pending"] * 4
    assert watch.pauses[1][2] == ["sent"] * 6 + ["pending"]
    # Each sandbox day sent its three, and no more.
    days = [int(request.at.timestamp() // 600) for request in sim.delivered()]
    assert [days.count(day) for day in sorted(set(days))] == [3, 3, 1]
    assert [row["status"] for row in files.rows()] == ["sent"] * 7


def test_wait_sleeps_through_a_daily_cap_and_logs_one_line_per_pause(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3), pacing_keys="daily_limit = 2")
    assert api.run(files, "--wait") == 0
    out = capsys.readouterr().out
    paused = [line for line in out.splitlines() if "event=paused" in line]
    assert len(paused) == 1, out
    assert "reason=cap" in paused[0] and "until=2026-01-16T00:00:00Z" in paused[0]
    assert api.delivered_to() == ["person-0", "person-1", "person-2"]
    assert api.sim.delivered()[2].at == datetime(2026, 1, 16, tzinfo=UTC)


class SleepyLaptop(FakeClock):
    """Its third sleep lasts five hours: the lid was closed."""

    def sleep(self, seconds: float) -> None:
        super().sleep(5 * 3600 if len(self.slept) == 2 else seconds)


def test_wait_reads_the_clock_in_short_steps_and_sees_a_laptop_that_slept(tmp_path):
    clock = SleepyLaptop(datetime(2026, 1, 15, 6, 0, tzinfo=UTC))  # the window opens at 08:00
    files = make_campaign(
        tmp_path, people(1), pacing_keys='send_window = "08:00-17:00"\ntimezone = "UTC"'
    )
    watch = Watch(files, clock)
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, transport(sim), options={"wait": True}, progress=watch)
    assert report.exit_code == 0
    assert watch.ticks == 3  # it woke past the opening and sent at once
    assert clock.slept[:2] == [30, 30]
    assert sim.delivered()[0].at == datetime(2026, 1, 15, 11, 1, tzinfo=UTC)


def test_a_signal_during_a_wait_writes_back_and_exits_128_plus_signal(tmp_path, api):
    now = datetime.now(UTC)
    opens, closes = now + timedelta(hours=2), now + timedelta(hours=3)
    window = f'send_window = "{opens:%H:%M}-{closes:%H:%M}"\ntimezone = "UTC"'
    files = make_campaign(tmp_path, people(2), pacing_keys=window)
    proc = start(files, api, args=("--wait",))
    deadline = time.monotonic() + 20
    while "outside the send window" not in (files.sheet.read_text()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never paused"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "event=paused" in out and "reason=window" in out
    assert "Stopped by SIGTERM" in out and "--wait" in out  # the command to carry on
    assert [row["status"] for row in files.rows()] == ["pending", "pending"]
    assert api.sim.delivered() == []


def test_wait_sleeps_until_a_429s_hold_until_then_sends(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    body = {"error": "Rate limit exceeded", "success": False, "holdUntil": "2026-01-15T09:30:00Z"}
    api.sim.inject(Fault(FaultKind.STATUS, status=429, body=body))
    assert api.run(files, "--wait") == 0
    paused = [line for line in capsys.readouterr().out.splitlines() if "event=paused" in line]
    assert len(paused) == 1 and "until=2026-01-15T09:30:00Z" in paused[0]
    assert [r.at for r in api.sim.delivered()] == [datetime(2026, 1, 15, 9, 30, tzinfo=UTC)] * 2
    assert [row["status"] for row in files.rows()] == ["sent", "sent"]
