"""The text report: the summary after a run, the dry run, and `status`, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from runner.campaign import load_campaign
from runner.outcomes import RunReport, StopReason
from runner.plans import Endpoint, SendPlan
from runner.prepare import Prepared, look, prepare
from runner.projection import project
from runner.quota import Pool
from runner.recipient import Recipient
from runner.report import dry_run, status_text, summary
from runner.report.words import grouped, projection_line
from runner.settings import places
from runner.sheet import WriteReport
from runner.status import Status, StatusCells
from tests.support.campaign import make_campaign, people

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
RESET = datetime(2026, 1, 16, 0, 0, tzinfo=UTC)
RESUME = "campaign-runner run campaign.toml"


@pytest.fixture
def prepared(tmp_path: Path) -> Prepared:
    rows = [*people(3), ["Nobody", "Acme", "", "", ""]]
    files = make_campaign(tmp_path, rows)
    campaign = load_campaign(files.toml)
    return prepare(campaign, places(campaign, sandbox=False, state_dir=files.state))


def report(**fields) -> RunReport:
    states = {
        2: StatusCells(Status.SENT, "", "2026-01-15T08:59:00Z"),
        3: StatusCells(
            Status.PENDING, f"daily quota used up; resets at {RESET:%Y-%m-%dT%H:%M:%SZ}"
        ),
        4: StatusCells(Status.PENDING),
        5: StatusCells(Status.INVALID, "no recipient"),
    }
    return RunReport(states=states, attempted=1, sent=1, **fields)


def summary_lines(prepared: Prepared, run: RunReport) -> list[str]:
    return summary(run, prepared, RESUME, NOW).splitlines()


def test_summary_of_a_run_paused_by_a_spent_quota(prepared):
    pool = Pool("", Endpoint.MESSAGE, 100, 100, 0, RESET, RESET, "daily quota used up")
    written = WriteReport(Path("/data/leads.csv"), None)
    run = report(blocked=[pool], written=written)
    assert summary_lines(prepared, run) == [
        "campaign: 1 sent this run (1 attempted). Sheet: 1 sent, 2 pending, 1 invalid.",
        "Statuses written to /data/leads.csv.",
        "Paused: daily quota used up for POST /message for account (default); it resets at "
        "2026-01-16T00:00:00Z (in 15h 0m).",
        "2 row(s) pending, nothing lost. Run the same command after 2026-01-16T00:00:00Z "
        "(in 15h 0m): " + RESUME,
        "(With --wait it sleeps through such pauses and carries on by itself.)",
    ]


def test_summary_of_a_run_stopped_at_the_limit(prepared):
    lines = summary_lines(prepared, report(stop=StopReason.LIMIT))
    assert lines[-1] == f"Stopped at --limit; 2 row(s) still pending. To carry on: {RESUME}"


def test_summary_of_an_interrupted_run(prepared):
    lines = summary_lines(prepared, report(stop=StopReason.INTERRUPTED))
    assert lines[-1] == f"Interrupted. Everything sent is recorded; to carry on: {RESUME}"


def test_summary_of_a_stalled_run(prepared):
    why = "3 sends in a row got no usable answer (HTTP 502); stopped so as not to add more"
    lines = summary_lines(prepared, report(stop=StopReason.STALLED, stalled=why))
    assert lines[-1] == f"Paused: {why}. 2 row(s) pending. Run again later: {RESUME}"


def test_summary_of_a_failing_account_and_unknown_rows(prepared):
    run = report(failing={"acc_1": "HTTP 503: Service Unavailable"})
    run.states[4] = StatusCells(Status.UNKNOWN, "no answer")
    assert summary_lines(prepared, run)[1:] == [
        "Paused: the API is failing for account acc_1 (HTTP 503: Service Unavailable); those "
        "rows stay pending.",
        f"1 row(s) pending, nothing lost. Run the same command later: {RESUME}",
        "1 row(s) are unknown: they may have been delivered. Check them on LinkedIn; to send "
        "them again anyway, add --resend-unknown.",
    ]


def test_summary_of_a_finished_run_says_what_earlier_runs_left(prepared):
    run = RunReport(
        states={2: StatusCells(Status.SENT)}, attempted=1, sent=1, recovered=1, adopted=2
    )
    assert summary_lines(prepared, run) == [
        "campaign: 1 sent this run (1 attempted). Sheet: 1 sent.",
        "1 row(s) were being sent when an earlier run stopped; they are marked unknown "
        "(see status_detail).",
        "2 row(s) had a status of sent, failed or unknown in the sheet that the journal did not "
        "know (a new state folder, or a renamed campaign?); they were taken as done. To send one "
        "anyway, clear its status cell.",
    ]


def test_dry_run_counts_shows_messages_and_lists_rows_not_sent(prepared, tmp_path):
    seen = look(prepared, places(prepared.campaign, sandbox=False, state_dir=tmp_path / "s"))
    projection = project(seen.start.queue, {}, NOW)
    text = dry_run(prepared, seen.start.states, seen.start.queue, projection, RESUME)
    assert text.splitlines() == [
        "Dry run of campaign: 4 rows in leads.csv; nothing sent, nothing written.",
        "Would send 3: 3 via POST /message.",
        "At current limits: all 3 today.",
        "",
        "--- row 2 → person-0 via POST /message",
        "Hi Person0, greetings from Acme.",
        "",
        "--- row 3 → person-1 via POST /message",
        "Hi Person1, greetings from Acme.",
        "",
        "1 row(s) will not be sent:",
        "  1 invalid: no recipient: the profile ID, profile URL and URN cells are all empty "
        "(row 5)",
        "",
        f"Every row, one by one: {RESUME} --dry-run --output rows.csv",
        f"To send for real: {RESUME}",
    ]


def test_rows_not_sent_are_grouped_by_reason_with_counts_and_first_rows():
    states = {
        n: StatusCells(Status.INVALID, f"profileUrl 'x{n}' is not a LinkedIn profile URL")
        for n in range(2, 10)
    }
    states[10] = StatusCells(Status.DUPLICATE, "same recipient as row 3")
    states[11] = StatusCells(Status.SENT)
    assert grouped(states, (Status.INVALID, Status.DUPLICATE)) == [
        "  8 invalid: profileUrl '…' is not a LinkedIn profile URL (rows 2, 3, 4, 5, 6, …)",
        "  1 duplicate: same recipient as row 3 (row 10)",
    ]


def test_the_projection_spreads_what_is_left_over_the_days_at_each_quotas_limit():
    def plans(count, account="", endpoint=Endpoint.MESSAGE):
        return [
            SendPlan(i, Recipient(f"{account}-{i}"), endpoint, account, "Hi") for i in range(count)
        ]

    queue = plans(8157) + plans(40, "acc_2", Endpoint.SEND_GROUP)
    spent = Pool("acc_2", Endpoint.SEND_GROUP, 150, 150, 0, RESET, RESET)
    left = Pool("", Endpoint.MESSAGE, 100, 60, 40, RESET)
    projection = project(queue, {spent.key: spent, left.key: left}, NOW)
    assert (projection.today, projection.later, projection.days) == (40, 8157, 82)
    assert projection_line(projection) == (
        "At current limits: 40 today, then 8,157 over the next 82 days (up to 140 a day); "
        "done about 2026-04-07."
    )
    # The day has turned since the API last spoke: the whole limit is back.
    tomorrow = RESET + timedelta(minutes=1)
    assert project(queue, {left.key: left}, tomorrow).today == 100 + 40


def test_status_shows_counts_and_each_quota_as_last_reported(prepared):
    spent = Pool("acc_1", Endpoint.MESSAGE, 100, 100, 0, RESET, RESET, "daily quota used up")
    fresh = Pool("", Endpoint.SEND_GROUP, 150, 10, 140, RESET)
    renewed = Pool("", Endpoint.MESSAGE, 100, 100, 0, NOW - timedelta(hours=1))
    pools = [("sandbox", spent), ("sandbox", fresh), ("sandbox", renewed)]
    text = status_text(prepared, report().states, pools, NOW, command=RESUME)
    assert text.splitlines() == [
        "campaign: 4 rows in leads.csv",
        "  sent       1",
        "  pending    2",
        "  failed     0",
        "  unknown    0",
        "  invalid    1",
        "  duplicate  0",
        "  skipped    0",
        "Why rows are failed, unknown or invalid:",
        "  1 invalid: no recipient (row 5)",
        "Quotas (as last reported by the API):",
        "  POST /message for account acc_1 [sandbox]: used up, resets 2026-01-16T00:00:00Z "
        "(in 15h 0m)",
        "  POST /messaging/send-group for account (default) [sandbox]: 140/150 left, resets "
        "2026-01-16T00:00:00Z (in 15h 0m)",
        "  POST /message for account (default) [sandbox]: renewed (last known 0/100)",
        "No run is under way.",
        f"Next: {RESUME}",
    ]


def test_status_gives_reset_times_in_the_local_time_zone_too(prepared, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        spent = Pool("", Endpoint.MESSAGE, 100, 100, 0, RESET, RESET, "daily quota used up")
        text = status_text(prepared, report().states, [("sandbox", spent)], NOW)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert (
        "  POST /message for account (default) [sandbox]: used up, resets 2026-01-16 01:00 CET "
        "(2026-01-16T00:00:00Z, in 15h 0m)" in text.splitlines()
    )


def test_status_before_any_answer(prepared):
    text = status_text(prepared, report().states, [], NOW, command=RESUME)
    assert text.splitlines()[-3:] == [
        "Quotas: nothing known yet (no answer from the API so far).",
        "No run is under way.",
        f"Next: {RESUME}",
    ]


def test_reasons_with_different_http_statuses_are_different_groups():
    states = {
        2: StatusCells(Status.FAILED, "HTTP 403: refused for 12 reasons"),
        3: StatusCells(Status.FAILED, "HTTP 403: refused for 7 reasons"),
        4: StatusCells(Status.FAILED, "HTTP 404: refused for 7 reasons"),
    }
    assert grouped(states, (Status.FAILED,)) == [
        "  2 failed: HTTP 403: refused for N reasons (rows 2, 3)",
        "  1 failed: HTTP 404: refused for 7 reasons (row 4)",
    ]


def test_a_sandbox_projection_speaks_of_its_short_quota_days_not_a_date():
    from runner.projection import Projection

    line = projection_line(Projection(0, 87, 1, 87, date(2026, 12, 2), sandbox_day=60))
    assert line == (
        "At current limits: 0 today, then 87 over the next 1 quota day (a sandbox quota day "
        "lasts 60 s) (up to 87 a day)."
    )


def test_profiles_the_api_does_not_know_are_one_group_whoever_they_are():
    lookup = "profile not found (the relationship lookup answered HTTP 404: LinkedIn profile not "
    states = {
        2: StatusCells(Status.FAILED, lookup + "found: p0057-notfound); nothing was sent"),
        3: StatusCells(Status.FAILED, lookup + "found: ann-lee); nothing was sent"),
        4: StatusCells(Status.FAILED, "HTTP 404: LinkedIn profile not found: invalid-bo"),
        5: StatusCells(Status.FAILED, "HTTP 404: LinkedIn profile not found: invalid-cy"),
    }
    assert grouped(states, (Status.FAILED,)) == [
        "  2 failed: profile not found (the relationship lookup answered HTTP 404: LinkedIn "
        "profile not found: …); nothing was sent (rows 2, 3)",
        "  2 failed: HTTP 404: LinkedIn profile not found: … (rows 4, 5)",
    ]
