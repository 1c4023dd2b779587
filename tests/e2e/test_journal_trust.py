"""A lost or damaged journal never means messaging again silently; sorted sheets keep each
status with its person."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys

from runner import failpoints
from tests.support.campaign import API_KEY, REPO, make_campaign, people
from tests.support.faults import Fault, FaultKind
from tests.support.process import start, wait_for_requests

JOURNAL = "campaign.journal.sqlite"


def statuses(files) -> dict[str, str]:
    return {row["recipientProfileId"]: row["status"] for row in files.rows()}


def refused(api, files, capsys, *args: str) -> str:
    """Run; expect a refusal before anything is sent and the sheet untouched."""
    received, before = len(api.sim.received), files.sheet.read_bytes()
    capsys.readouterr()
    code = api.run(files, *args)
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert len(api.sim.received) == received and files.sheet.read_bytes() == before
    assert "Nothing was sent" in err and "Traceback" not in err
    return err


def half_sent(tmp_path, api):
    files = make_campaign(tmp_path, people(4))
    assert api.run(files, "--limit", "2") == 0
    return files


def test_an_emptied_journal_is_refused(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)
    (files.state / JOURNAL).write_bytes(b"")
    err = refused(api, files, capsys)
    assert f"{files.state / JOURNAL}: this campaign's journal cannot be trusted: it is empty" in err
    assert "The sheet shows 2 sent, 2 pending." in err
    assert "after 2026-01-15T09:00:00Z" in err and "--trust-sheet" in err


def test_a_garbled_journal_is_refused(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)
    (files.state / JOURNAL).write_bytes(os.urandom(8192))
    err = refused(api, files, capsys)
    assert "it is not an SQLite database (garbled, or another file)" in err


def test_a_truncated_journal_is_refused(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(120))
    assert api.run(files, "--limit", "90") == 0
    path = files.state / JOURNAL
    data = path.read_bytes()
    assert len(data) > 5 * 4096  # several pages, so a cut loses records
    path.write_bytes(data[: len(data) // 2])
    err = refused(api, files, capsys)
    assert "this campaign's journal cannot be trusted:" in err


def test_a_journal_whose_write_ahead_log_was_lost_after_a_crash_is_refused(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(4))
    env = {**os.environ, "CONNECTSAFELY_API_KEY": API_KEY, "PYTHONPATH": str(REPO)}
    env[failpoints.ENV] = f"{failpoints.ANSWER_RECEIVED}@3"
    args = ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)]
    proc = subprocess.run([sys.executable, "-m", "runner", *args], env=env, check=False)
    assert proc.returncode == -signal.SIGKILL
    wal = files.state / f"{JOURNAL}-wal"
    assert wal.exists()
    wal.unlink()  # say, only the .sqlite file was copied after the crash
    (files.state / f"{JOURNAL}-shm").unlink(missing_ok=True)
    err = refused(api, files, capsys)
    assert "a run was under way when it was last written and its write-ahead log" in err


def test_after_a_clean_stop_the_journal_file_alone_is_enough(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)
    copy = tmp_path / "copied-state"
    copy.mkdir()
    shutil.copy(files.state / JOURNAL, copy / JOURNAL)  # the main file only
    shutil.rmtree(files.state)
    files.state = copy
    assert api.run(files) == 0
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(4)]


def test_statuses_the_journal_never_wrote_are_refused_until_trusted(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)  # person-0 and person-1 sent
    # The user marks person-3 as sent by hand (say, messaged outside the runner).
    text = files.sheet.read_text(encoding="utf-8").replace(
        "person-3,,,pending,,,,person-3", "person-3,,,sent,,,,person-3"
    )
    files.sheet.write_text(text, encoding="utf-8")
    err = refused(api, files, capsys)
    assert err == (
        "campaign-runner: leads.csv: row 5 says sent, failed or unknown, but this campaign's "
        "journal never sent to them (typed by hand, or copied from another sheet?). Nothing was "
        "sent. Clear their status cells to have them sent, or run again with --trust-sheet to "
        "take the sheet's word (they are then not messaged)\n"
    )
    assert api.run(files, "--trust-sheet") == 0
    assert sorted(api.delivered_to()) == ["person-0", "person-1", "person-2"]


def sort_data_columns_only(files, key) -> None:
    """What a sort of a range that leaves out the status columns does: the data rows move, the
    status blocks stay where they were."""
    rows = list(csv.reader(io.StringIO(files.sheet.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    width = header.index("status")
    data = sorted((r[:width] for r in body), key=key)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [header, *(d + r[width:] for d, r in zip(data, body, strict=True))]
    )
    files.sheet.write_text(out.getvalue(), encoding="utf-8")


def last_first(row: list[str]) -> int:
    return -int(row[2].rsplit("-", 1)[1])


def test_a_sort_of_the_data_columns_only_with_the_journal(tmp_path, api):
    files = half_sent(tmp_path, api)
    sort_data_columns_only(files, key=last_first)
    assert statuses(files) == {
        "person-3": "sent",  # someone else's blocks now stand beside them
        "person-2": "sent",
        "person-1": "pending",
        "person-0": "pending",
    }
    assert api.run(files) == 0
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(4)]  # once each
    assert set(statuses(files).values()) == {"sent"}
    rows = {row["recipientProfileId"]: row for row in files.rows()}
    assert all(rows[p]["status_for"].startswith(f"{p} #") for p in rows)
    # Their rows showed "sent" (plans.plan_rows leaves such rows unrendered): each went with
    # its own message all the same.
    sent = {r.payload["recipientProfileId"]: r.payload["message"] for r in api.sim.delivered()}
    assert {p: sent[p] for p in ("person-2", "person-3")} == {
        f"person-{i}": f"Hi Person{i}, greetings from Acme." for i in (2, 3)
    }


def test_a_sort_of_the_data_columns_only_without_the_journal(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)
    sort_data_columns_only(files, key=last_first)
    shutil.rmtree(files.state)
    refused(api, files, capsys)
    assert api.run(files, "--trust-sheet") == 0
    # The blocks went back to the people they name: 0 and 1 are not messaged again.
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(4)]
    assert "status block(s) stood beside someone else" in capsys.readouterr().out


def test_two_campaign_files_on_one_sheet_take_turns(tmp_path, api, capsys):
    from runner.lock import CampaignLock

    files = make_campaign(tmp_path, people(2))
    other = tmp_path / "other.toml"  # a second campaign file naming the same sheet
    other.write_text(files.toml.read_text(), encoding="utf-8")
    lock = tmp_path / ".leads.csv.campaign-runner.lock"
    with CampaignLock(lock, "", holder=str(other)):  # the other campaign is running
        capsys.readouterr()
        assert api.run(files) == 75
    err = capsys.readouterr().err
    assert err == (
        f"campaign-runner: leads.csv is being written by another run (pid {os.getpid()}, "
        f"{other}); nothing was sent; wait for it to finish (two campaigns on one sheet take "
        "turns)\n"
    )
    assert api.sim.received == []
    assert api.run(files) == 0  # once it is done


def test_two_state_folders_for_one_campaign_do_not_both_send(tmp_path, api):
    """The same campaign run from cron with one --state-dir and from a shell with another."""
    files = make_campaign(tmp_path, people(3), extra="[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=10))
    first = start(files, api)
    wait_for_requests(api, 1, first)
    files.state = tmp_path / "another-state-folder"
    second = start(files, api)
    _, err = second.communicate(timeout=30)
    first.kill()
    first.communicate()
    assert second.returncode == 75
    assert f"leads.csv is being written by another run (pid {first.pid}, {files.toml})" in err
    assert len(api.sim.received) == 1


def test_a_relative_state_dir_is_taken_from_the_campaign_folder(tmp_path, api, monkeypatch):
    files = make_campaign(tmp_path, people(1))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cron starts in the home folder, a shell anywhere
    from runner.cli import main

    args = ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", "st"]
    env = {"CONNECTSAFELY_API_KEY": API_KEY}
    assert main(args, env=env, clock=api.clock) == 0
    assert (tmp_path / "st" / JOURNAL).exists() and not (elsewhere / "st").exists()


def sort_all_but_status_for(files, key) -> None:
    """A sort of a selection that stops one column short: data and status cells move together,
    status_for stays where it was."""
    rows = list(csv.reader(io.StringIO(files.sheet.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    last = header.index("status_for")
    moved = sorted((r[:last] for r in body), key=key)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [header, *(m + r[last:] for m, r in zip(moved, body, strict=True))]
    )
    files.sheet.write_text(out.getvalue(), encoding="utf-8")


def test_a_sort_that_leaves_status_for_behind_with_the_journal(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(10))
    assert api.run(files, "--limit", "5") == 0
    sort_all_but_status_for(files, key=last_first)
    assert api.run(files) == 0  # the journal says who was sent: no refusal, no resend
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(10)]
    rows = {row["recipientProfileId"]: row for row in files.rows()}
    assert all(row["status"] == "sent" for row in rows.values())
    assert all(rows[p]["status_for"].startswith(f"{p} #") for p in rows)


def test_a_sort_that_leaves_status_for_behind_without_the_journal(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(10))
    assert api.run(files, "--limit", "5") == 0
    sort_all_but_status_for(files, key=last_first)
    shutil.rmtree(files.state)
    assert api.run(files) == 2
    assert api.run(files, "--trust-sheet") == 0
    delivered = api.delivered_to()
    assert sorted(delivered) == [f"person-{i}" for i in range(10)]  # nobody twice, nobody left
    rows = {row["recipientProfileId"]: row for row in files.rows()}
    assert all(row["status"] == "sent" for row in rows.values())


def test_two_campaigns_on_one_sheet_with_their_own_outputs_take_turns(tmp_path, api):
    """Each campaign writes its statuses to its own `output`, but both send from one sheet."""
    files = make_campaign(tmp_path, people(3), extra='output = "out/a.csv"', pacing=(1, 1))
    other = tmp_path / "b.toml"
    other.write_text(
        files.toml.read_text(encoding="utf-8").replace("out/a.csv", "out/b.csv"), "utf-8"
    )
    first = start(files, api)
    wait_for_requests(api, 1, first)
    files.toml = other
    files.state = tmp_path / "state-b"
    second = start(files, api)
    _, err = second.communicate(timeout=30)
    first.communicate(timeout=30)
    assert second.returncode == 75, err
    assert "leads.csv: another run is sending from this sheet (pid" in err
    delivered = api.delivered_to()
    assert len(delivered) == len(set(delivered)) == 3


def test_a_damaged_journal_with_trust_sheet_says_to_move_it_aside_first(tmp_path, api, capsys):
    files = half_sent(tmp_path, api)
    journal = files.state / JOURNAL
    journal.write_bytes(os.urandom(4096))
    err = refused(api, files, capsys, "--trust-sheet")
    assert (
        "--trust-sheet starts a new journal from the sheet's statuses once the damaged one is "
        f"out of the way: move it aside (mv {journal} {journal}.damaged), then run this command "
        "again" in err
    )
    journal.rename(f"{journal}.damaged")
    assert api.run(files, "--trust-sheet") == 0
    assert sorted(api.delivered_to()) == [f"person-{i}" for i in range(4)]
