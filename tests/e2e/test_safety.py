"""The ways a careless moment could message someone twice, or silently not at all."""

from __future__ import annotations

import shutil

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from runner.cli import main
from runner.clock import FakeClock
from runner.journal import Journal
from runner.sandbox import Sandbox, profile_urn, transport
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process
from tests.support.faults import Fault, FaultKind


def statuses(files) -> list[str]:
    return [row["status"] for row in files.rows()]


def test_a_sandbox_trial_never_counts_as_a_real_send(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    before = files.sheet.read_bytes()
    args = ["run", str(files.toml), "--sandbox", "--state-dir", str(files.state)]
    assert main(args, env={}, clock=api.clock) == 0
    assert "Statuses go to leads.sandbox.csv" in capsys.readouterr().out
    assert files.sheet.read_bytes() == before  # the real sheet is untouched
    sandbox_rows = (tmp_path / "leads.sandbox.csv").read_text(encoding="utf-8")
    assert sandbox_rows.count(",sent,") == 3

    status = ["status", str(files.toml), "--state-dir", str(files.state)]
    capsys.readouterr()
    assert main([*status, "--sandbox"], clock=api.clock) == 0
    assert "  sent       3" in capsys.readouterr().out
    assert main(status, clock=api.clock) == 0
    assert "  pending    3" in capsys.readouterr().out

    assert api.run(files) == 0  # the real run sends to everyone
    assert sorted(api.delivered_to()) == ["person-0", "person-1", "person-2"]
    assert statuses(files) == ["sent"] * 3


def test_campaign_file_sandbox_yields_to_an_explicit_base_url(tmp_path, api):
    files = make_campaign(tmp_path, people(1), extra="[api]\nsandbox = true")
    assert api.run(files) == 0
    assert api.delivered_to() == ["person-0"]


def test_sandbox_and_base_url_together_are_refused(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    assert main(["run", str(files.toml), "--sandbox", "--base-url", "https://x.example"]) == 2
    assert "--sandbox and --base-url contradict each other" in capsys.readouterr().err


def refused_until_trusted(api, files, capsys) -> None:
    """With the journal gone, a run stops before sending and says how to go on deliberately;
    with --trust-sheet it takes the sheet's statuses as the record."""
    sent = len(api.sim.received)
    before = files.sheet.read_bytes()
    capsys.readouterr()
    assert api.run(files) == 2
    err = capsys.readouterr().err
    assert "journal" in err and "is missing or new" in err and "--trust-sheet" in err
    assert len(api.sim.received) == sent and files.sheet.read_bytes() == before
    assert api.run(files, "--trust-sheet") == 0


def test_a_lost_journal_does_not_mean_messaging_everyone_again(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3))
    assert api.run(files, "--limit", "2") == 0
    shutil.rmtree(files.state)  # deleted, moved, or a new --state-dir
    capsys.readouterr()
    assert api.run(files) == 2
    assert capsys.readouterr().err == (
        "campaign-runner: leads.csv: rows 2, 3, 4 show 2 sent, 1 pending from an earlier run, "
        "but this "
        f"campaign's journal ({files.state / 'campaign.journal.sqlite'}) is missing or new, so "
        "messages sent after the sheet was last written cannot be known. Nothing was sent. If "
        "the journal moved, point --state-dir at its folder (or give the campaign its old "
        "name); otherwise check on LinkedIn what was sent after 2026-01-15T09:00:00Z, then run "
        "again with --trust-sheet: people the sheet shows as sent, failed or unknown are then "
        "not messaged again\n"
    )
    assert len(api.sim.received) == 2
    assert api.run(files, "--trust-sheet") == 0
    assert "2 row(s) had a status of sent, failed or unknown in the sheet" in (
        capsys.readouterr().out
    )
    assert sorted(api.delivered_to()) == ["person-0", "person-1", "person-2"]
    assert statuses(files) == ["sent"] * 3
    # What the sheet said is now in the journal too.
    with Journal(files.state / "campaign.journal.sqlite") as journal:
        assert sorted(e.key for e in journal.entries()) == [f"id:person-{i}" for i in range(3)]


def test_a_lost_journal_with_statuses_in_an_output_file(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(3), extra='output = "out/status.csv"')
    assert api.run(files, "--limit", "2") == 0
    shutil.rmtree(files.state)
    refused_until_trusted(api, files, capsys)
    assert sorted(api.delivered_to()) == ["person-0", "person-1", "person-2"]


def earlier_versions_sibling(files, rows: dict[str, str]) -> None:
    """What earlier versions wrote beside a workbook they could not write into (one with a
    chart, or formulas): a copy with the statuses, `leads.statuses.xlsx`."""
    book = load_workbook(files.sheet)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    first_free = headers.index("status") + 1 if "status" in headers else sheet.max_column + 1
    for offset, name in enumerate(("status", "status_detail", "sent_at", "recipient_urn")):
        sheet.cell(1, first_free + offset, name)
    if "status_for" in headers:  # earlier versions wrote four columns
        sheet.delete_cols(headers.index("status_for") + 1)
    for r in range(2, sheet.max_row + 1):
        person = sheet.cell(r, 3).value
        if person in rows:
            sheet.cell(r, first_free, rows[person])
            sheet.cell(r, first_free + 2, "2026-01-14T10:00:00Z")
    book.save(files.sheet.with_name("leads.statuses.xlsx"))


def test_a_lost_journal_with_statuses_in_an_earlier_versions_sibling(tmp_path, api, capsys):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook()
    book.active.append(["First Name", "Company", "recipientProfileId"])
    book.active.append(["Ann", "Acme", "ann-1"])
    book.active.append(["Bo", "Acme", "bo-2"])
    book.save(files.sheet)
    earlier_versions_sibling(files, {"ann-1": "sent", "bo-2": "pending"})
    refused_until_trusted(api, files, capsys)
    assert api.delivered_to() == ["bo-2"]


def test_a_sent_in_the_sibling_beats_an_older_pending_in_the_sheet(tmp_path, api, capsys):
    """Day 1 wrote into the sheet; then an earlier version sent the statuses beside it; then
    the journal was lost. The sibling's newer 'sent' must win over the sheet's old 'pending'."""
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook()
    book.active.append(["First Name", "Company", "recipientProfileId"])
    for i in range(4):
        book.active.append([f"P{i}", "Acme", f"p-{i}"])
    book.save(files.sheet)
    assert api.run(files, "--limit", "2") == 0  # statuses in the sheet: 2 sent, 2 pending
    earlier_versions_sibling(files, {f"p-{i}": "sent" for i in range(4)})
    shutil.rmtree(files.state)
    refused_until_trusted(api, files, capsys)
    assert sorted(api.delivered_to()) == ["p-0", "p-1"]  # p-2, p-3 sent per the sibling


def test_clearing_only_the_status_cell_sends_the_row_again(tmp_path, api):
    files = make_campaign(tmp_path, [["Ann", "Acme", "invalid-ann", "", ""], *people(1)])
    assert api.run(files) == 0
    assert statuses(files) == ["failed", "sent"]
    text = files.sheet.read_text().replace("invalid-ann,,,failed,", "ann-fixed,,,,")
    files.sheet.write_text(text, encoding="utf-8")
    assert api.run(files) == 0
    assert statuses(files) == ["sent", "sent"]
    assert api.delivered_to() == ["person-0", "ann-fixed"]


def test_a_lost_journal_keeps_unknown_rows_unsent(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2), extra="[api]\ntimeout = 0.3")
    api.sim.inject(Fault(FaultKind.HANG, seconds=1))
    assert api.run(files) == 0
    assert statuses(files) == ["unknown", "sent"]
    shutil.rmtree(files.state)
    refused_until_trusted(api, files, capsys)
    assert statuses(files) == ["unknown", "sent"]
    assert len(api.sim.received) == 2


def test_renaming_the_campaign_does_not_resend(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(2))
    assert api.run(files) == 0
    files.toml.write_text('name = "renamed"\n' + files.toml.read_text(), encoding="utf-8")
    refused_until_trusted(api, files, capsys)
    assert len(api.sim.received) == 2


def test_one_person_by_public_id_and_by_urn_gets_one_message(tmp_path, api):
    urn = profile_urn("ann-1")  # what LinkedIn answers for ann-1
    files = make_campaign(
        tmp_path, [["Ann", "Acme", "ann-1", "", ""], ["Ann", "Acme", "", urn, ""]]
    )
    assert api.run(files) == 0
    assert len(api.sim.delivered()) == 1
    rows = files.rows()
    assert rows[1]["status"] == "duplicate"
    assert rows[1]["status_detail"] == (
        "same recipient as row 2 (LinkedIn answered with the same URN)"
    )


def test_a_users_own_status_column_is_not_overwritten(tmp_path, api, capsys):
    files = make_campaign(tmp_path, [], headers=["x"])
    files.sheet.write_text(
        "First Name,Company,recipientProfileId,Status\nAnn,Acme,ann,Hot lead - call Tuesday\n",
        encoding="utf-8",
    )
    before = files.sheet.read_bytes()
    assert api.run(files) == 2
    assert capsys.readouterr().err == (
        "campaign-runner: leads.csv: row 2: the column 'Status' holds 'Hot lead - call Tuesday', "
        "which the runner did not write; it writes into columns named status, status_detail, "
        "sent_at, recipient_urn, status_for, so rename your column (e.g. 'stage' or 'notes') and "
        "run again\n"
    )
    assert files.sheet.read_bytes() == before and api.sim.received == []


@pytest.mark.parametrize(
    ("columns", "cells", "named"),
    [
        ("Sent At", "2025-11-02 (connection request)", "'Sent At' holds '2025-11-02"),
        ("Status Detail", "warm intro via Bo", "'Status Detail' holds 'warm intro via Bo'"),
        ("Recipient URN", "urn:li:fsd_profile:ACoAAx", "'Recipient URN' holds"),
    ],
)
def test_a_users_own_columns_named_like_the_runners_are_not_taken_over(
    tmp_path, api, capsys, columns, cells, named
):
    files = make_campaign(tmp_path, [], headers=["x"])
    files.sheet.write_text(
        f"First Name,Company,recipientProfileId,{columns}\nAnn,Acme,ann,{cells}\n",
        encoding="utf-8",
    )
    before = files.sheet.read_bytes()
    assert api.run(files) == 2
    assert named in capsys.readouterr().err
    assert files.sheet.read_bytes() == before and api.sim.received == []


def test_an_api_that_never_answers_stops_the_run(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(6), extra="[api]\ntimeout = 0.3")
    api.sim.inject(Fault(FaultKind.HANG, times=10, seconds=1))
    assert api.run(files) == 75
    assert statuses(files) == ["unknown"] * 3 + ["pending"] * 3
    assert "Paused: 3 sends in a row got no usable answer" in capsys.readouterr().out
    assert len(api.sim.received) == 3


def test_bad_api_keys_are_refused_before_anything_is_sent(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(1))
    for key in ("sk_live\nsecret", "sk_tést_secret", "two words"):
        code = main(
            ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)],
            env={"CONNECTSAFELY_API_KEY": key},
            clock=api.clock,
        )
        err = capsys.readouterr().err
        assert code == 2
        assert "CONNECTSAFELY_API_KEY holds characters an API key cannot have" in err
        assert "secret" not in err and "words" not in err
    assert api.sim.received == []


def test_an_unusable_state_folder_is_a_clear_error(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(1))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = main(
        ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(blocker / "state")],
        env={"CONNECTSAFELY_API_KEY": API_KEY},
        clock=api.clock,
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot create the state folder" in err and "Traceback" not in err


class InterruptedInBackoff(FakeClock):
    """Ctrl-C arrives during the pause before a retry."""

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            raise KeyboardInterrupt
        super().sleep(seconds)


def test_ctrl_c_between_retries_leaves_the_row_pending_not_unknown(tmp_path, api):
    files = make_campaign(tmp_path, people(2))
    api.sim.inject(Fault(FaultKind.STATUS, status=503, body={"error": "busy"}))
    clock = InterruptedInBackoff()
    code = main(
        ["run", str(files.toml), "--base-url", api.base_url, "--state-dir", str(files.state)],
        env={"CONNECTSAFELY_API_KEY": API_KEY},
        clock=clock,
    )
    assert code == 130
    assert statuses(files) == ["pending", "pending"]
    assert api.run(files) == 0
    assert sorted(api.delivered_to()) == ["person-0", "person-1"]


def test_an_edit_during_the_run_is_kept_and_the_statuses_written_around_it(tmp_path, clock):
    files = make_campaign(tmp_path, people(2))
    sim = Sandbox(API_KEY, clock)
    inner = transport(sim)

    def edit_during_the_run(request: httpx.Request) -> httpx.Response:
        # The user edits the sheet while the run is on: it must not be overwritten.
        files.sheet.write_text(files.sheet.read_text().replace("Person1", "Peter"))
        return inner.handle_request(request)

    report = run_in_process(files, clock, httpx.MockTransport(edit_during_the_run))
    assert report.sent == 2 and report.exit_code == 0 and report.rereads >= 1
    assert "Peter" in files.sheet.read_text() and statuses(files) == ["sent", "sent"]


def test_a_failed_row_fixed_and_cleared_is_sent_again_even_to_the_same_person(tmp_path, api):
    """The README's promise: fix the row, clear its status cell, and it is sent again (the API
    refused it before, so nobody got it)."""
    files = make_campaign(tmp_path, [["Ann", "Acme", "ann-1", "", ""]])
    refusal = {"error": "Recipient cannot receive InMail", "success": False}
    api.sim.inject(Fault(FaultKind.STATUS, status=400, body=refusal))
    assert api.run(files) == 0
    assert statuses(files) == ["failed"]
    text = files.sheet.read_text(encoding="utf-8").replace(",failed,", ",,")
    files.sheet.write_text(text, encoding="utf-8")  # fixed, and its status cell cleared
    assert api.run(files) == 0
    assert statuses(files) == ["sent"]
    assert [r.payload["recipientProfileId"] for r in api.sim.received] == ["ann-1", "ann-1"]
