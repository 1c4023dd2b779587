"""Human pacing: a random pause in [min_delay, max_delay] between two sends of one account."""

from __future__ import annotations

import random

from runner.pacing import Pacing
from runner.sandbox import Sandbox, transport
from tests.support.campaign import API_KEY, make_campaign, run_in_process


def run(files, clock, sim, pacing: Pacing, progress=None):
    return run_in_process(
        files, clock, transport(sim), pacing=pacing, rng=random.Random(4), progress=progress
    )


def send_times(sim) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for request in sim.delivered():
        times.setdefault(request.account, []).append(request.at.timestamp())
    return times


def test_pauses_are_random_within_bounds_and_per_account(tmp_path, clock):
    rows = [[f"P{i}", "Acme", f"p-{i}", "", "", "acc_a" if i % 2 else "acc_b"] for i in range(12)]
    files = make_campaign(
        tmp_path,
        rows,
        headers=["First Name", "Company", "recipientProfileId", "urn", "groupId", "accountId"],
    )
    sim = Sandbox(API_KEY, clock)
    report = run(files, clock, sim, Pacing(20, 60))
    assert report.sent == 12
    for account, times in send_times(sim).items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(gaps) == 5, account
        assert all(20 <= gap <= 60 for gap in gaps), gaps
        assert len({round(gap, 3) for gap in gaps}) > 1  # random, not a fixed pause
    # The two accounts' pauses overlap: the run takes about one account's time, not the sum.
    first, last = min(r.at for r in sim.delivered()), max(r.at for r in sim.delivered())
    assert (last - first).total_seconds() < 6 * 60


def test_a_quick_rerun_keeps_the_pause_after_the_last_send(tmp_path, clock):
    files = make_campaign(tmp_path, [[f"P{i}", "Acme", f"p-{i}", "", ""] for i in range(2)])
    sim = Sandbox(API_KEY, clock)
    assert run(files, clock, sim, Pacing(30, 30)).sent == 2
    files.sheet.write_text(files.sheet.read_text() + "P2,Acme,p-2,,,,,,\n", encoding="utf-8")
    clock.slept.clear()
    assert run(files, clock, sim, Pacing(30, 30)).sent == 1
    assert clock.slept == [30.0]


def test_progress_bar_counts_every_send(tmp_path, clock):
    files = make_campaign(tmp_path, [[f"P{i}", "Acme", f"p-{i}", "", ""] for i in range(3)])
    bars = []

    class Bar:
        def start(self, total):
            self.total, self.n = total, 0
            bars.append(self)

        def advance(self, plan, cells):
            self.n += 1

        def close(self):
            self.closed = True

    run(files, clock, Sandbox(API_KEY, clock), Pacing(0, 0), progress=Bar())
    assert [(bar.total, bar.n, bar.closed) for bar in bars] == [(3, 3, True)]


def test_a_send_time_in_the_future_never_makes_the_next_run_sleep_long(tmp_path, clock):
    """A sheet adopted with a sent_at a year ahead (typed by hand, or a clock that was wrong)."""
    files = make_campaign(tmp_path, [[f"P{i}", "Acme", f"p-{i}", "", ""] for i in range(2)])
    text = files.sheet.read_text(encoding="utf-8").splitlines()
    text[0] += ",status,status_detail,sent_at,recipient_urn,status_for"
    text[1] += ",sent,,2027-01-15T09:00:00Z,,p-0"
    files.sheet.write_text("\n".join(text) + "\n", encoding="utf-8")
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(
        files, clock, transport(sim), pacing=Pacing(30, 60), options={"trust_sheet": True}
    )
    assert report.sent == 1
    with files.sheet.open("a", encoding="utf-8") as sheet:
        sheet.write("P2,Acme,p-2,,,,,,,\n")  # a row added for the next day's run
    clock.slept.clear()
    report = run_in_process(files, clock, transport(sim), pacing=Pacing(30, 60))
    assert report.sent == 1
    assert 0 < max(clock.slept) <= 60  # the pause after the last send, not a year
