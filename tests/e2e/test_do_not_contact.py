"""The do-not-contact list and `skip_contacted`, through the CLI against the sandbox."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from runner.cli import main
from runner.sandbox import Sandbox
from tests.e2e.test_live_sheet import HEADERS, editing, sent_to
from tests.support.campaign import (
    API_KEY,
    CampaignFiles,
    make_campaign,
    people,
    run_in_process,
    write_csv,
)
from tests.support.faults import Fault, FaultKind

DNC = "on the do-not-contact list (dnc.txt)"


def by_id(files: CampaignFiles, sheet: Path | None = None) -> dict[str, dict[str, str]]:
    rows = replace(files, sheet=sheet or files.sheet).rows()
    return {row["recipientProfileId"]: row for row in rows}


def journaled(files: CampaignFiles, name: str = "campaign.journal.sqlite") -> set[str]:
    with sqlite3.connect(files.state / name) as db:
        return {key for (key,) in db.execute("SELECT key FROM sends")}


def two_campaigns(tmp_path: Path, later: str = "") -> tuple[CampaignFiles, CampaignFiles]:
    """'Q3 founders' (sends from acc_2) and a later campaign, each in its own folder, sharing
    one state folder."""
    (tmp_path / "q3").mkdir()
    (tmp_path / "q4").mkdir()
    q3 = make_campaign(
        tmp_path / "q3", people(2), extra='name = "Q3 founders"\naccount_id = "acc_2"'
    )
    q4 = make_campaign(tmp_path / "q4", people(3), extra=f'name = "Q4"\n{later}')
    q4.state = q3.state = tmp_path / "state"
    return q3, q4


def status_of(files: CampaignFiles, clock, capsys, *flags: str) -> str:
    capsys.readouterr()
    args = ["status", str(files.toml), "--state-dir", str(files.state), *flags]
    assert main(args, env={}, clock=clock) == 0
    return capsys.readouterr().out


def test_a_person_on_the_list_is_never_sent_and_shows_skipped(tmp_path, api, capsys):
    (tmp_path / "dnc.txt").write_text("# said no\nhttps://www.linkedin.com/in/Person-1/\n")
    files = make_campaign(tmp_path, people(3), extra='do_not_contact = "dnc.txt"')
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0", "person-2"]
    assert "Sheet: 2 sent, 1 skipped." in capsys.readouterr().out
    rows = by_id(files)
    assert (rows["person-1"]["status"], rows["person-1"]["status_detail"]) == ("skipped", DNC)
    assert rows["person-1"]["sent_at"] == "" and rows["person-1"]["status_for"].startswith(
        "person-1 #"
    )
    assert journaled(files) == {"id:person-0", "id:person-2"}  # skipping is not journaled
    # The sheet, "skipped" and all, reads back: the next run sends nothing more.
    assert api.run(files) == 0
    assert len(api.sim.delivered()) == 2 and by_id(files)["person-1"]["status"] == "skipped"


def test_someone_taken_off_the_list_is_sent_on_the_next_run(tmp_path, api):
    (tmp_path / "dnc.txt").write_text("person-1\n")
    files = make_campaign(tmp_path, people(3), extra='do_not_contact = "dnc.txt"')
    assert api.run(files) == 0
    (tmp_path / "dnc.txt").write_text("# person-1 changed their mind\n")
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0", "person-2", "person-1"]
    assert by_id(files)["person-1"]["status"] == "sent"


def test_an_unreadable_list_sends_nothing(tmp_path, api, capsys):
    (tmp_path / "dnc.txt").write_text("person-1\nPerson Two\n")
    files = make_campaign(tmp_path, people(3), extra='do_not_contact = "dnc.txt"')
    before = files.sheet.read_bytes()
    assert api.run(files) == 2
    assert capsys.readouterr().err == (
        "campaign-runner: dnc.txt: line 2: 'Person Two' is not a LinkedIn public profile ID; "
        "correct it, or start the line with # to keep it as a note\n"
    )
    assert api.sim.received == [] and files.sheet.read_bytes() == before


def test_the_dry_run_counts_the_skipped_rows_and_says_why(tmp_path, api, capsys):
    (tmp_path / "dnc.txt").write_text("person-1\nperson-2\n")
    files = make_campaign(tmp_path, people(4), extra='do_not_contact = "dnc.txt"')
    assert api.run(files, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Would send 2: 2 via POST /message." in out
    assert f"2 row(s) will not be sent:\n  2 skipped: {DNC} (rows 3, 4)" in out
    assert api.sim.received == []


def test_a_list_edited_during_the_run_counts_from_the_next_save_of_the_sheet(tmp_path, clock):
    (tmp_path / "dnc.txt").write_text("")
    files = make_campaign(tmp_path, people(3), extra='do_not_contact = "dnc.txt"')
    sim = Sandbox(API_KEY, clock)

    def save() -> None:  # while person-0 is sent: person-2 and a new row's person-3 listed
        (tmp_path / "dnc.txt").write_text("person-2\nperson-3\n")
        write_csv(files.sheet, [HEADERS, *people(4)])

    report = run_in_process(files, clock, editing(files, sim, {1: save}))
    assert sent_to(sim) == ["person-0", "person-1"]
    assert report.rereads == 1 and report.exit_code == 0
    assert [by_id(files)[f"person-{i}"]["status"] for i in range(4)] == [
        "sent",
        "sent",
        "skipped",
        "skipped",
    ]


def test_skip_contacted_skips_people_another_campaign_in_the_state_folder_messaged(
    tmp_path, api, capsys
):
    q3, q4 = two_campaigns(tmp_path, "skip_contacted = true")
    api.sim.inject(Fault(FaultKind.DROP_AFTER))  # person-0: delivered, but no answer came
    assert api.run(q3) == 0
    assert by_id(q3)["person-0"]["status"] == "unknown"
    assert api.run(q4) == 0
    assert api.delivered_to() == ["person-0", "person-1", "person-2"]  # person-2 by Q4
    rows = by_id(q4)
    assert [rows[f"person-{i}"]["status"] for i in range(3)] == ["skipped", "skipped", "sent"]
    # The campaign's name as its file says it, not its journal's file name.
    assert rows["person-1"]["status_detail"] == (
        "already messaged by campaign 'Q3 founders' on 2026-01-15 (from acc_2)"
    )
    assert rows["person-0"]["status_detail"] == (
        "may already have been messaged by campaign 'Q3 founders' on 2026-01-15 (from acc_2): "
        "its send was cut off and is unknown there"
    )


def test_status_reports_people_other_campaigns_messaged_either_way(tmp_path, api, capsys):
    q3, q4 = two_campaigns(tmp_path)
    assert api.run(q3) == 0
    out = status_of(q4, api.clock, capsys)
    assert "  pending    3" in out and "  skipped    0" in out
    assert (
        "2 recipients were already messaged by other campaigns in this state folder "
        "('Q3 founders': 2); skip_contacted = true skips them."
    ) in out
    q4.toml.write_text("skip_contacted = true\n" + q4.toml.read_text())
    out = status_of(q4, api.clock, capsys)
    assert "  pending    1" in out and "  skipped    2" in out
    assert (
        "Why rows are skipped:\n  2 skipped: already messaged by campaign '…' on … (from acc_2) "
        "(rows 2, 3)"
    ) in out
    assert "already messaged by other campaigns in this state folder" not in out


def test_a_sandbox_trial_is_history_only_to_other_sandbox_trials(tmp_path, clock, capsys):
    q3, q4 = two_campaigns(tmp_path, "skip_contacted = true")

    def run(files: CampaignFiles, *flags: str) -> int:
        args = ["run", str(files.toml), "--state-dir", str(files.state), *flags]
        return main(args, env={}, clock=clock)

    assert run(q3, "--sandbox") == 0
    # A real run: the trial messaged nobody.
    assert "2 recipients were already messaged" not in status_of(q4, clock, capsys)
    assert run(q4, "--sandbox") == 0
    trial = by_id(q4, q4.dir / "leads.sandbox.csv")
    assert [trial[f"person-{i}"]["status"] for i in range(3)] == ["skipped", "skipped", "sent"]
    assert "  skipped    0" in status_of(q4, clock, capsys)
    assert "  skipped    2" in status_of(q4, clock, capsys, "--sandbox")
