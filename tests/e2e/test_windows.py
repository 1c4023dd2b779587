"""Send windows, weekends, daily caps and warm-up, on the injected clock: outside the window or
over the cap nothing is sent, the run pauses like on a spent quota (exit 75) and says when
sending resumes, in the prospects' local time and UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from runner.cli import main
from runner.sandbox import Sandbox, transport
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process

BERLIN = 'send_window = "09:00-17:30"\ntimezone = "Europe/Berlin"'


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_before_the_window_opens_nothing_is_sent_and_the_opening_is_said(
    tmp_path, api, clock, capsys
):
    clock.advance(hours=-3)  # Thursday 2026-01-15 06:00 UTC: 07:00 in Berlin
    files = make_campaign(tmp_path, people(2), pacing_keys=BERLIN)
    assert api.run(files) == 75
    assert api.sim.delivered() == []
    out = capsys.readouterr().out
    opening = "2026-01-15 09:00 Europe/Berlin (2026-01-15T08:00:00Z)"
    assert f"outside the send window of the account; it opens {opening}" in out
    assert "Run the same command after 2026-01-15T08:00:00Z" in out
    assert [row["status"] for row in files.rows()] == ["pending", "pending"]
    assert opening in files.rows()[0]["status_detail"]
    clock.advance(hours=2)  # 08:00 UTC: 09:00 in Berlin
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0", "person-1"]


def test_the_window_closing_pauses_the_run_until_the_next_morning(tmp_path, api, clock, capsys):
    clock.advance(hours=6)  # Thursday 15:00 UTC: 16:00 in Berlin
    files = make_campaign(tmp_path, people(4), pacing=(2700, 2700), pacing_keys=BERLIN)
    assert api.run(files) == 75
    sent = [request.at for request in api.sim.delivered()]
    assert sent == [at("2026-01-15T15:00:00"), at("2026-01-15T15:45:00")]  # 17:30 is closed
    assert (
        "it opens 2026-01-16 09:00 Europe/Berlin (2026-01-16T08:00:00Z)" in capsys.readouterr().out
    )


def test_weekends_are_skipped(tmp_path, api, clock, capsys):
    clock.advance(days=1, hours=7)  # Friday 2026-01-16 16:00 UTC: 17:00 in Berlin
    files = make_campaign(
        tmp_path, people(3), pacing=(2700, 2700), pacing_keys=BERLIN + "\nskip_weekends = true"
    )
    assert api.run(files) == 75
    assert len(api.sim.delivered()) == 1
    monday = "2026-01-19 09:00 Europe/Berlin (2026-01-19T08:00:00Z)"
    assert f"it opens {monday}" in capsys.readouterr().out
    clock.advance(days=1)  # Saturday, inside the hours: still nothing
    assert api.run(files) == 75
    assert len(api.sim.delivered()) == 1


def test_the_window_follows_daylight_saving_time(tmp_path, api, clock, capsys):
    files = make_campaign(tmp_path, people(1), pacing_keys=BERLIN)
    clock.advance(days=72, hours=-3)  # Saturday 2026-03-28 06:00 UTC: 07:00 CET
    assert api.run(files) == 75
    assert "(2026-03-28T08:00:00Z)" in capsys.readouterr().out  # 09:00 CET is 08:00 UTC
    clock.advance(days=1)  # Sunday 2026-03-29 06:00 UTC: 08:00 CEST, the clocks went forward
    assert api.run(files) == 75
    assert "2026-03-29 09:00 Europe/Berlin (2026-03-29T07:00:00Z)" in capsys.readouterr().out
    clock.advance(hours=1)
    assert api.run(files) == 0


def test_a_window_across_midnight_in_another_time_zone(tmp_path, api, clock):
    # 22:00-06:00 in New York (UTC-5 in January): 03:00-11:00 UTC. The clock says 09:00 UTC.
    keys = 'send_window = "22:00-06:00"\ntimezone = "America/New_York"'
    files = make_campaign(tmp_path, people(3), pacing=(3600, 3600), pacing_keys=keys)
    assert api.run(files) == 75
    assert [r.at for r in api.sim.delivered()] == [
        at("2026-01-15T09:00:00"),
        at("2026-01-15T10:00:00"),
    ]


def test_daily_limit_caps_each_account_and_the_next_day_carries_on(tmp_path, api, clock, capsys):
    files = make_campaign(tmp_path, people(5), pacing_keys="daily_limit = 2")
    assert api.run(files) == 75
    assert len(api.sim.delivered()) == 2
    out = capsys.readouterr().out
    assert (
        "the account sent its 2 for today (its own daily limit); "
        "it sends again 2026-01-16T00:00:00Z" in out
    )
    assert api.run(files) == 75  # the same day: nothing more
    assert len(api.sim.delivered()) == 2
    clock.advance(days=1)
    assert api.run(files) == 75
    assert len(api.sim.delivered()) == 4


def test_daily_limit_per_account_from_its_own_table(tmp_path, clock):
    rows = [[f"P{i}", "Acme", f"p-{i}", "", "", "new" if i % 2 else "old"] for i in range(8)]
    headers = ["First Name", "Company", "recipientProfileId", "urn", "groupId", "accountId"]
    files = make_campaign(
        tmp_path,
        rows,
        headers=headers,
        pacing_keys="daily_limit = 10",
        tables="[accounts.new]\ndaily_limit = 1",
    )
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, transport(sim))
    senders = [request.account for request in sim.delivered()]
    assert senders.count("old") == 4 and senders.count("new") == 1
    assert report.exit_code == 75


def test_warm_up_raises_the_cap_each_active_day(tmp_path, clock):
    files = make_campaign(
        tmp_path, people(9), pacing_keys="daily_limit = 3\nwarmup = { start = 1, step = 1 }"
    )
    sim = Sandbox(API_KEY, clock)
    days = []
    for _ in range(5):
        run_in_process(files, clock, transport(sim))
        days.append(len(sim.delivered()) - sum(days))
        clock.advance(days=1)
    assert days == [1, 2, 3, 3, 0]


def test_a_warm_up_pause_says_it_is_the_warm_up(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path, people(5), pacing_keys="daily_limit = 40\nwarmup = { start = 3, step = 2 }"
    )
    assert api.run(files) == 75
    assert (
        "the account sent its 3 for today (its warm-up limit today; 2 more each day it sends, "
        "up to 40); it sends again 2026-01-16T00:00:00Z" in capsys.readouterr().out
    )


def test_status_shows_each_accounts_day_and_when_the_campaign_will_be_done(
    tmp_path, api, clock, capsys
):
    files = make_campaign(
        tmp_path,
        people(9),
        extra='rotate_accounts = ["acc_1", "acc_2"]',
        pacing_keys="daily_limit = 2",
        tables='[accounts.acc_2]\ndaily_limit = 1\nsend_window = "08:00-09:00"\ntimezone = "UTC"',
    )
    assert api.run(files) == 75
    out = capsys.readouterr().out
    assert "At current limits: 0 today, then 7 over the next 3 days (up to 3 a day)" in out
    status = ["status", str(files.toml), "--state-dir", str(files.state)]
    assert main(status, env={"CONNECTSAFELY_BASE_URL": api.base_url}, clock=clock) == 0
    out = capsys.readouterr().out
    assert "Accounts today:" in out
    assert (
        "  acc_1: 2 sent today; 0 left of its own limit of 2; POST /message: 98 left, resets "
        "2026-01-16T00:00:00Z (in 15h 0m)" in out
    )
    assert (
        "  acc_2: 0 sent today; 1 left of its own limit of 1; its send window opens "
        "2026-01-16T08:00:00Z" in out
    )
    assert "To send: 7 via POST /message." in out
    assert "done about 2026-01-18" in out
