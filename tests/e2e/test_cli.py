"""The command line: exit codes, dry run, status, configuration from flags and environment."""

from __future__ import annotations

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
    assert "leads.csv: row 6: invalid: no recipient" in out
    assert "leads.csv: row 7: duplicate: same recipient as row 2" in out
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
