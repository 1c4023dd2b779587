"""The command line: exit codes, dry run, status, configuration from flags and environment."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runner.cli import main
from runner.sheet import read_table
from tests.support.campaign import API_KEY, make_campaign, people

REPO = Path(__file__).resolve().parents[2]


def test_dry_run_renders_lists_invalid_rows_and_writes_nothing(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path,
        [
            *people(4),
            ["", "Acme", "", "", ""],
            ["X", "Acme", "person-0", "", ""],
            ["Y", "Acme", "", "urn:li:fsd_profile:ACoAAx", "9"],
        ],
        message="Hi {{ first_name }} at {{ company }}",
    )
    before = files.sheet.read_bytes()
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Would send 5: 4 via POST /message, 1 via POST /messaging/send-group" in out
    assert "--- row 2 → person-0 via POST /message" in out
    assert "Hi Person0 at Acme" in out
    assert "2 row(s) will not be sent:" in out
    assert (
        "  1 invalid: no recipient: the profile ID, profile URL and URN cells are all empty "
        "(row 6)" in out
    )
    assert "  1 duplicate: same recipient as row 2 (row 7)" in out
    assert f"To send for real: campaign-runner run {files.toml}" in out
    assert files.sheet.read_bytes() == before
    assert api.sim.received == []
    assert not (files.state / "campaign.journal.sqlite").exists()


def test_dry_run_needs_no_key(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    assert main(["run", str(files.toml), "--dry-run", "--state-dir", str(files.state)], env={}) == 0
    assert "CONNECTSAFELY_API_KEY is not set; a real run needs it" in capsys.readouterr().out


def test_missing_key_is_exit_2(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    assert main(["run", str(files.toml), "--state-dir", str(files.state)], env={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("campaign-runner: CONNECTSAFELY_API_KEY is not set.")
    assert "Traceback" not in err


def test_plain_http_base_url_is_refused(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    env = {"CONNECTSAFELY_API_KEY": API_KEY, "CONNECTSAFELY_BASE_URL": "http://api.example.com/x"}
    assert main(["run", str(files.toml), "--state-dir", str(files.state)], env=env) == 2
    assert "CONNECTSAFELY_BASE_URL: base URL 'http://api.example.com/x' is plain HTTP" in (
        capsys.readouterr().err
    )


def test_flag_beats_environment_beats_file(tmp_path, api):
    files = make_campaign(
        tmp_path, people(1), extra='[api]\nbase_url = "https://example.invalid/x"'
    )
    env = {"CONNECTSAFELY_API_KEY": API_KEY, "CONNECTSAFELY_BASE_URL": api.base_url}
    assert (
        main(["run", str(files.toml), "--state-dir", str(files.state)], env=env, clock=api.clock)
        == 0
    )
    assert len(api.sim.delivered()) == 1


def test_base_url_flag_beats_environment(tmp_path, api):
    files = make_campaign(tmp_path, people(1))
    env = {"CONNECTSAFELY_API_KEY": API_KEY, "CONNECTSAFELY_BASE_URL": "https://example.invalid/x"}
    args = ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)]
    assert main(args, env=env, clock=api.clock) == 0
    assert len(api.sim.delivered()) == 1


def test_template_naming_a_missing_column_is_exit_2_and_sends_nothing(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2), message="Hi {{ frist_name }}")
    before = files.sheet.read_bytes()
    assert api.run(files) == 2
    assert capsys.readouterr().err == (
        "campaign-runner: message.txt.j2: line 1: uses 'frist_name', which is not a column of "
        "leads.csv (did you mean 'first_name'?)\n"
    )
    assert api.sim.received == [] and files.sheet.read_bytes() == before


def test_bad_campaign_file_is_exit_2(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('sheet = "x.csv"\nmesage_template = "m"\n', encoding="utf-8")
    assert main(["run", str(path)], env={}) == 2
    assert "unknown key 'mesage_template'" in capsys.readouterr().err


def test_status_command(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3) + [["Nobody", "", "", "", ""]])
    assert api.run(files, "--limit", "2") == 0
    capsys.readouterr()
    assert main(["status", str(files.toml), "--state-dir", str(files.state)], clock=api.clock) == 0
    out = capsys.readouterr().out
    assert "campaign: 4 rows in leads.csv" in out
    assert "  sent       2" in out and "  pending    1" in out and "  invalid    1" in out
    assert (
        f"POST /message for account (default) [{api.base_url}]: 98/100 left, "
        "resets 2026-01-16T00:00:00Z (in 15h 0m)"
    ) in out


def test_second_runner_on_the_same_campaign_is_refused(tmp_path, api, capsys):
    from runner.lock import CampaignLock

    files = make_campaign(tmp_path, people(1))
    with CampaignLock(files.state / "campaign.journal.lock", "busy: {holder}"):
        assert api.run(files) == 75
    assert "this campaign is being run by another process" in capsys.readouterr().err
    assert api.sim.received == []


def test_sandbox_example_campaign_pauses_then_resumes(tmp_path, clock, capsys):
    """The README demo, in-process: the shipped example pauses on the quota, resumes next day."""
    for folder in ("campaigns", "templates", "sample_data"):
        # Not the demo's own state, should someone have run it in this checkout.
        shutil.copytree(
            REPO / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns(".campaign-runner", "*.sandbox.*"),
        )
    toml = tmp_path / "campaigns" / "example.toml"
    sample = (tmp_path / "sample_data" / "leads.xlsx").read_bytes()
    args = ["run", str(toml)]
    assert main(args, env={}, clock=clock) == 75
    out = capsys.readouterr().out
    assert "Sandbox: sending to the built-in simulator" in out
    assert "Paused: daily quota used up for POST /message" in out
    clock.advance(seconds=61)
    assert main(args, env={}, clock=clock) == 0
    out = capsys.readouterr().out
    assert "Sheet: " in out and "pending" not in out.split("Sheet: ")[1].split("\n")[0]
    assert (tmp_path / "sample_data" / "leads.xlsx").read_bytes() == sample
    statuses = [
        row.cells[-5] for row in read_table(tmp_path / "out" / "example-leads.sandbox.xlsx").rows
    ]
    assert statuses.count("sent") == 226 and "pending" not in statuses


def test_python_dash_m_runner_works():
    result = subprocess.run(
        [sys.executable, "-m", "runner", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0 and "campaign-runner" in result.stdout


@pytest.mark.parametrize("argv", [["run"], ["run", "x.toml", "--limit", "0"], ["nope"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage: campaign-runner" in capsys.readouterr().err


def test_every_command_and_option_is_in_the_readme():
    from runner.cli import build_parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"campaign-runner {name} " in readme, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in readme, (name, flag)


def test_a_log_gets_one_line_per_row_sent(tmp_path, api, capsys):
    files = make_campaign(tmp_path, [*people(2), ["Nobody", "Acme", "invalid-x", "", ""]])
    assert api.run(files) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("time=")]
    assert lines[0] == (
        "time=2026-01-15T09:00:00Z row=2 recipient=person-0 endpoint=message account=- status=sent"
    )
    assert lines[1].startswith("time=2026-01-15T09:00:00Z row=3 recipient=person-1 ")
    assert lines[2] == (
        "time=2026-01-15T09:00:00Z row=4 recipient=invalid-x endpoint=message account=- "
        'status=failed detail="HTTP 404: LinkedIn profile not found: invalid-x"'
    )
    assert len(lines) == 3


def test_a_person_at_a_terminal_gets_the_progress_bar_not_the_lines(tmp_path, api):
    import os
    import pty
    import subprocess
    import sys

    files = make_campaign(tmp_path, people(2))
    controller, terminal = pty.openpty()
    env = {**os.environ, "CONNECTSAFELY_API_KEY": API_KEY, "PYTHONPATH": str(REPO)}
    args = ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)]
    proc = subprocess.run(
        [sys.executable, "-m", "runner", *args],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert proc.returncode == 0
    assert b"2 sent this run" in shown and b"time=" not in shown


def test_a_dry_run_of_ten_thousand_rows_fits_a_screen_and_lists_every_row_in_a_file(
    tmp_path, api, capsys
):
    rows = [[f"P{i}", "Acme" if i % 10 else "", f"person-{i}", "", ""] for i in range(10_000)]
    files = make_campaign(tmp_path, rows, message="Hi {{ first_name }} at {{ company }}")
    listing = tmp_path / "rows.csv"
    assert api.run(files, "--dry-run", "--output", str(listing)) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) < 40
    assert "Would send 9,000: 9,000 via POST /message." in out
    assert (
        "At current limits: 100 today, then 8,900 over the next 89 days (up to 100 a day); "
        "done about 2026-04-14." in out
    )
    assert (
        "  1,000 invalid: Company is empty (used by message.txt.j2 without a default) "
        "(rows 2, 12, 22, 32, 42, …)" in out
    )
    with listing.open(encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert len(listed) == 10_000
    assert listed[0]["outcome"] == "invalid" and listed[1]["outcome"] == "would send"
    assert listed[1]["message"] == "Hi P1 at Acme" and listed[1]["endpoint"] == "POST /message"
    assert api.sim.received == []


def test_output_without_dry_run_is_refused(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    args = ["run", str(files.toml), "--sandbox", "--output", str(tmp_path / "x.csv")]
    assert main(args, env={}) == 2
    assert "--output lists the rows of a dry run; add --dry-run" in capsys.readouterr().err


def test_a_sandbox_campaigns_dry_run_says_how_to_go_live(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1), extra="[api]\nsandbox = true")
    assert main(["run", str(files.toml), "--dry-run", "--state-dir", str(files.state)], env={}) == 0
    out = capsys.readouterr().out
    assert (
        "This is a sandbox trial: nothing real is sent. To go live, set sandbox = false in "
        "campaign.toml ([api]), export CONNECTSAFELY_API_KEY=your key, then: campaign-runner "
        f"run {files.toml}" in out
    )


def test_status_works_with_a_broken_template_and_says_so(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    assert api.run(files, "--limit", "1") == 0
    (tmp_path / "message.txt.j2").write_text("Hi {{ frist_name }}", encoding="utf-8")
    capsys.readouterr()
    args = ["status", str(files.toml), "--state-dir", str(files.state)]
    assert main(args, env={"CONNECTSAFELY_BASE_URL": api.base_url}, clock=api.clock) == 0
    out = capsys.readouterr().out
    assert "The template cannot be used: message.txt.j2: line 1: uses 'frist_name'" in out
    assert "  sent       1" in out and "  pending    2" in out


def test_status_says_when_a_run_is_under_way(tmp_path, api, capsys):
    from runner.lock import CampaignLock

    files = make_campaign(tmp_path, people(2))
    args = ["status", str(files.toml), "--state-dir", str(files.state)]
    with CampaignLock(files.state / "campaign.journal.lock", "", holder="/srv/q4.toml"):
        assert main(args, env={}, clock=api.clock) == 0
    out = capsys.readouterr().out
    assert f"A run is under way (pid {os.getpid()}, /srv/q4.toml)." in out
    assert "Next: wait for that run to end; it writes the sheet as it goes." in out
    assert main(args, env={}, clock=api.clock) == 0
    assert "No run is under way." in capsys.readouterr().out


def test_the_dry_run_points_out_single_braces_left_in_a_template(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path, people(1), message="Hi {first_name},\nall good at {{ company }}"
    )
    capsys.readouterr()
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert (
        "  message.txt.j2: line 1: {first_name} has single braces, so it is sent as written; "
        "write {{ first_name }} to fill it in" in out
    )
