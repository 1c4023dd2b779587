"""Crash safety, proven by killing the real CLI in a subprocess and resuming it.

The sandbox runs in this process over loopback HTTP, so it sees every request the killed
runner made. After each kill the same command runs again to the end, and the invariants hold:
nobody is messaged twice, every request the API received is `sent` or `unknown` in the sheet,
the sheet always opens with every original cell unchanged, and rows not yet attempted get sent.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time

import pytest

from runner import failpoints
from runner.sheet import read_table
from tests.support.campaign import CampaignFiles, make_campaign, people
from tests.support.faults import Fault, FaultKind
from tests.support.process import start, wait_for_requests


def original_cells(files: CampaignFiles) -> list[tuple[str, ...]]:
    return [row.cells for row in read_table(files.sheet).rows]


def check_sheet(files: CampaignFiles, original: list[tuple[str, ...]], tidy: bool = False) -> None:
    """The sheet opens and every cell the user wrote is as it was. A kill during a write may
    leave its temporary file behind; the next completed write removes it (tidy)."""
    table = read_table(files.sheet)
    width = len(original[0])
    assert [row.cells[:width] for row in table.rows] == original
    if tidy:
        assert not list(files.dir.glob(".*.tmp")), "a temporary file was left behind"


def check_final(api, files: CampaignFiles, original: list[tuple[str, ...]]) -> dict[str, str]:
    check_sheet(files, original, tidy=True)
    with sqlite3.connect(files.state / "campaign.journal.sqlite") as db:  # survived its killings
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    delivered = api.delivered_to()
    assert len(delivered) == len(set(delivered)), "someone was messaged twice"
    status = {row["recipientProfileId"]: row["status"] for row in files.rows()}
    for request in api.sim.received:
        if request.payload is None:  # cut off mid-body by a kill: it could not be acted on
            assert not request.delivered
            continue
        assert status[request.payload["recipientProfileId"]] in ("sent", "unknown")
    assert set(status.values()) <= {"sent", "unknown"}, "a row was never attempted"
    return status


@pytest.mark.parametrize("sheet", ["leads.csv", "leads.xlsx"])
@pytest.mark.parametrize(
    ("point", "expected"),
    [
        # Killed after "in flight" was committed, before the request left: never delivered,
        # but the runner cannot know that, so the row is unknown.
        (f"{failpoints.IN_FLIGHT_COMMITTED}@3", "unknown"),
        # Killed after the API answered, before the outcome was committed: delivered, unknown.
        (f"{failpoints.ANSWER_RECEIVED}@3", "unknown"),
        # Killed while the sheet was being written at the end (the 1st write is before the
        # first send): all five were sent and recorded.
        (f"{failpoints.SHEET_MID_WRITE}@2", "sent"),
    ],
)
def test_sigkill_at_each_named_point_then_resume(tmp_path, api, sheet, point, expected):
    files = make_campaign(tmp_path, people(5), sheet_name=sheet)
    original = original_cells(files)
    proc = start(files, api, crash_at=point)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    check_sheet(files, original)
    received_before_resume = len(api.sim.received)

    assert api.run(files) == 0
    status = check_final(api, files, original)
    assert status["person-2"] == expected
    assert [status[f"person-{i}"] for i in (0, 1, 3, 4)] == ["sent"] * 4
    if point.startswith(failpoints.SHEET_MID_WRITE):
        assert len(api.sim.received) == received_before_resume == 5  # nothing sent again


def test_sigkill_while_the_request_is_on_the_wire_then_resume(tmp_path, api):
    files = make_campaign(tmp_path, people(5), extra="[api]\ntimeout = 60")
    original = original_cells(files)
    # Two requests go through untouched (an empty header override changes nothing), then the
    # third is delivered but never answered: the process is killed while it waits.
    api.sim.inject(Fault(FaultKind.OVERRIDE_HEADERS, times=2, headers={}))
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    proc = start(files, api)
    wait_for_requests(api, 3, proc)
    proc.kill()
    proc.communicate()

    assert api.run(files) == 0
    status = check_final(api, files, original)
    assert [status[f"person-{i}"] for i in range(5)] == ["sent", "sent", "unknown", "sent", "sent"]
    assert "stopped while this message was being sent" in files.rows()[2]["status_detail"]


@pytest.mark.parametrize("sheet", ["leads.csv", "leads.xlsx"])
def test_sigkill_at_random_moments_over_many_runs(tmp_path, api, sheet):
    files = make_campaign(tmp_path, people(60), sheet_name=sheet, pacing=(0.01, 0.03))
    original = original_cells(files)
    rng = random.Random(sheet)
    kills = 0
    for _ in range(8):
        proc = start(files, api)
        # Kill at a random moment while it is sending: after a random number of requests,
        # plus a random fraction of a pause.
        target = min(len(api.sim.received) + rng.randint(1, 8), 60)
        deadline = time.monotonic() + 20
        while len(api.sim.received) < target and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        if proc.poll() is not None:
            proc.communicate()
            break  # it finished before the kill
        proc.kill()
        proc.communicate()
        kills += 1
        check_sheet(files, original)
        delivered = api.delivered_to()
        assert len(delivered) == len(set(delivered))
    assert kills >= 3, "the kills came too late to test anything"
    assert api.run(files) == 0
    status = check_final(api, files, original)
    assert list(status.values()).count("unknown") <= kills


def test_a_second_ctrl_c_while_sending_exits_130_and_records_the_row_as_unknown(tmp_path, api):
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    proc.send_signal(signal.SIGINT)  # the first waits for the answer...
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)  # ...the second will not
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Stopped by SIGINT. Everything sent is recorded" in out
    assert [r["status"] for r in files.rows()] == ["unknown", "pending", "pending"]
    assert api.run(files) == 0
    assert [r["status"] for r in files.rows()] == ["unknown", "sent", "sent"]
    assert len(api.sim.delivered()) == 3


def test_two_runners_on_one_campaign_do_not_both_send(tmp_path, api):
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    first = start(files, api)
    wait_for_requests(api, 1, first)
    second = start(files, api)
    out, err = second.communicate(timeout=30)
    first.kill()
    first.communicate()
    assert second.returncode == 75
    assert f"this campaign is being run by another process (pid {first.pid}, " in err
    assert len(api.sim.received) == 1


@pytest.mark.parametrize("look", ["status", "dry run"])
def test_looking_at_a_crashed_campaign_changes_nothing_and_the_next_run_carries_on(
    tmp_path, api, look
):
    """Reading a journal a killed run left (status, a dry run) must not fold its log away: the
    journal would then look as if its log had been lost, and the run would refuse it."""
    from runner.cli import main

    files = make_campaign(tmp_path, people(5))
    original = original_cells(files)
    proc = start(files, api, crash_at=f"{failpoints.ANSWER_RECEIVED}@3")
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    log = files.state / "campaign.journal.sqlite-wal"
    assert log.exists()
    before = log.read_bytes()
    where = ["--state-dir", str(files.state)]
    if look == "status":
        argv = ["status", str(files.toml), *where]
    else:
        argv = ["run", str(files.toml), "--dry-run", "--base-url", api.base_url, *where]
    env = {"CONNECTSAFELY_API_KEY": "sk_test_0123456789abcdef"}
    assert main(argv, env={**env, "CONNECTSAFELY_BASE_URL": api.base_url}, clock=api.clock) == 0
    assert log.exists() and log.read_bytes() == before
    assert api.run(files) == 0
    status = check_final(api, files, original)
    assert [status[f"person-{i}"] for i in range(5)] == ["sent", "sent", "unknown", "sent", "sent"]
