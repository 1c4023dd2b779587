"""The sheet is live: the user edits it while a campaign runs, or has it open in Excel."""

from __future__ import annotations

import sqlite3
import threading

import httpx
import pytest
from openpyxl import load_workbook

from runner.sandbox import Sandbox, transport
from tests.support.campaign import API_KEY, make_campaign, people, run_in_process, write_csv

HEADERS = ["First Name", "Company", "recipientProfileId", "recipientProfileUrn", "groupId"]


def editing(files, sim, edits: dict[int, object]) -> httpx.MockTransport:
    """A transport to the sandbox that, as the n-th request arrives, lets the user save the
    sheet (edits[n] is the new rows, or a function that writes the file)."""
    inner = transport(sim)
    seen = [0]

    def handle(request: httpx.Request) -> httpx.Response:
        seen[0] += 1
        edit = edits.get(seen[0])
        if callable(edit):
            edit()
        elif edit is not None:
            write_csv(files.sheet, [HEADERS, *edit])
        return inner.handle_request(request)

    return httpx.MockTransport(handle)


def sent_to(sim: Sandbox) -> list[str]:
    return [r.payload["recipientProfileId"] for r in sim.delivered()]


def by_id(files) -> dict[str, dict[str, str]]:
    return {row["recipientProfileId"]: row for row in files.rows()}


def test_a_row_deleted_during_the_run_is_not_sent(tmp_path, clock):
    files = make_campaign(tmp_path, people(4))
    sim = Sandbox(API_KEY, clock)
    rows = people(4)
    del rows[2]  # person-2 deleted while person-0 is being sent
    report = run_in_process(files, clock, editing(files, sim, {1: rows}))
    assert sent_to(sim) == ["person-0", "person-1", "person-3"]
    assert report.exit_code == 0 and report.rereads == 1
    assert set(by_id(files)) == {"person-0", "person-1", "person-3"}


def test_a_row_edited_during_the_run_is_sent_as_it_reads_now(tmp_path, clock):
    files = make_campaign(tmp_path, people(3))
    sim = Sandbox(API_KEY, clock)
    rows = people(3)
    rows[2][1] = "Globex"  # person-2's company corrected
    run_in_process(files, clock, editing(files, sim, {1: rows}))
    last = sim.delivered()[-1].payload
    assert last["recipientProfileId"] == "person-2"
    assert last["message"] == "Hi Person2, greetings from Globex."
    assert by_id(files)["person-2"]["Company"] == "Globex"


def test_a_row_added_during_the_run_joins_the_queue(tmp_path, clock):
    files = make_campaign(tmp_path, people(2))
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, editing(files, sim, {1: people(3)}))
    assert sent_to(sim) == ["person-0", "person-1", "person-2"]
    assert report.sent == 3 and by_id(files)["person-2"]["status"] == "sent"


def test_a_row_that_became_invalid_is_not_sent(tmp_path, clock):
    files = make_campaign(tmp_path, people(3))
    sim = Sandbox(API_KEY, clock)
    rows = people(3)
    rows[2][2] = "https://example.com/not-linkedin"
    run_in_process(files, clock, editing(files, sim, {1: rows}))
    assert sent_to(sim) == ["person-0", "person-1"]
    row = files.rows()[2]
    assert row["status"] == "invalid" and "is not a LinkedIn" in row["status_detail"]


@pytest.mark.parametrize("whole_after", [1, 2], ids=["still-saving", "unreadable-a-moment"])
def test_a_sheet_caught_mid_save_is_read_once_it_is_whole(tmp_path, clock, whole_after):
    """At the first send the user starts saving; the runner finds half a file (a quote opened
    and not closed) and waits: the save completes during its first pause (the file is still
    changing) or its second (the half file sat still for a moment)."""
    files = make_campaign(tmp_path, people(3))
    sim = Sandbox(API_KEY, clock)
    whole = files.sheet.read_bytes()
    pauses = [0]
    sleep = clock.sleep

    def pause(seconds: float) -> None:
        sleep(seconds)
        pauses[0] += 1
        if pauses[0] == whole_after:
            files.sheet.write_bytes(whole)

    def half_saved() -> None:
        files.sheet.write_bytes(whole[: whole.index(b"\n", len(whole) // 2) + 1] + b'"unclo')

    clock.sleep = pause  # type: ignore[method-assign]
    report = run_in_process(files, clock, editing(files, sim, {1: half_saved}))
    assert report.exit_code == 0 and sent_to(sim) == ["person-0", "person-1", "person-2"]
    assert [row["status"] for row in files.rows()] == ["sent"] * 3
    assert pauses[0] >= whole_after


def test_a_sheet_saved_in_a_form_that_cannot_be_used_stops_the_run(tmp_path, clock):
    files = make_campaign(tmp_path, people(3))
    sim = Sandbox(API_KEY, clock)
    broken = [["First Name", "Company", "Profile"], ["Ann", "Acme", "ann"]]  # no ID column

    def save_broken() -> None:
        write_csv(files.sheet, broken)

    report = run_in_process(files, clock, editing(files, sim, {1: save_broken}))
    assert sent_to(sim) == ["person-0"]
    assert report.exit_code == 75 and report.stop == "sheet"
    assert "no recipient column" in report.stalled
    assert report.written is None  # nobody is told the statuses were written
    assert report.held == "the sheet cannot be used as it is now (see below)"
    assert files.rows() == [{"First Name": "Ann", "Company": "Acme", "Profile": "ann"}]


def test_a_workbook_open_in_excel_is_not_replaced_until_it_is_closed(tmp_path, clock):
    files = make_campaign(tmp_path, people(3), sheet_name="leads.xlsx")
    owner = tmp_path / "~$leads.xlsx"
    owner.write_bytes(b"\x00" * 165)  # Excel's owner file while the workbook is open
    before = files.sheet.read_bytes()
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, transport(sim))
    assert report.sent == 3 and report.exit_code == 0  # sending went on
    assert files.sheet.read_bytes() == before  # not replaced under Excel's feet
    assert report.written is None
    assert "leads.xlsx is open in Excel" in report.held
    owner.unlink()  # closed
    report = run_in_process(files, clock, transport(sim))
    assert report.attempted == 0 and report.held == ""
    statuses = [c.value for c in load_workbook(files.sheet).active["F"]][1:]
    assert statuses == ["sent"] * 3


def test_statuses_held_for_excel_are_written_once_it_closes_during_the_run(tmp_path, clock):
    files = make_campaign(tmp_path, people(3))
    owner = tmp_path / "~$leads.csv"
    owner.write_text("x")
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, editing(files, sim, {2: owner.unlink}))
    assert report.held == "" and report.written is not None
    assert [row["status"] for row in files.rows()] == ["sent"] * 3


def test_a_save_landing_during_a_write_back_is_kept_and_the_write_redone(
    tmp_path, clock, monkeypatch
):
    from runner import failpoints

    files = make_campaign(tmp_path, people(3))
    sim = Sandbox(API_KEY, clock)
    saved = []

    def users_save(point: str) -> None:
        # The first time the runner's new file is complete but not yet in place, the user
        # saves the sheet with a row added: the runner's file must not replace it.
        if point == failpoints.SHEET_MID_WRITE and not saved:
            write_csv(files.sheet, [HEADERS, *people(4)])
            saved.append(True)

    monkeypatch.setattr(failpoints, "reached", users_save)
    report = run_in_process(files, clock, transport(sim))
    assert saved and report.exit_code == 0
    assert sent_to(sim) == ["person-0", "person-1", "person-2", "person-3"]  # the added one too
    assert [row["status"] for row in files.rows()] == ["sent"] * 4


def test_a_row_deleted_while_its_lookup_is_out_is_not_sent(tmp_path, clock):
    rows = [[f"P{i}", "Acme", f"p{i}-friend", "", ""] for i in range(3)]
    files = make_campaign(tmp_path, rows, extra='route = "auto"')
    sim = Sandbox(API_KEY, clock)
    # The user deletes p0's row as the first request, p0's lookup, is on its way.
    report = run_in_process(files, clock, editing(files, sim, {1: rows[1:]}))
    with sqlite3.connect(files.state / "campaign.journal.sqlite") as db:
        kept = [key for (key,) in db.execute("SELECT key FROM lookups ORDER BY key")]
    assert kept == ["id:p0-friend", "id:p1-friend", "id:p2-friend"]  # p0's lookup is kept
    assert sent_to(sim) == ["p1-friend", "p2-friend"]  # p0's send never left
    assert report.exit_code == 0 and report.sent == 2
    assert set(by_id(files)) == {"p1-friend", "p2-friend"}


def test_a_row_deleted_while_its_lookup_is_out_and_the_sheet_reread_is_not_sent(tmp_path, clock):
    """The run reads the saved sheet again while acc_1's lookup of p0 is still out (at a
    checkpoint after acc_2's answer): the answer that comes after finds p0 deleted."""
    headers = ["First Name", "Company", "recipientProfileId", "groupId", "accountId"]
    rows = [
        ["P0", "Acme", "p0-friend", "", "acc_1"],
        ["Q0", "Acme", "q0-friend", "", "acc_2"],
        ["P1", "Acme", "p1-friend", "", "acc_1"],
    ]
    files = make_campaign(tmp_path, rows, headers=headers, extra='route = "auto"')
    sim = Sandbox(API_KEY, clock)
    inner = transport(sim)
    answered = threading.Event()  # acc_2's lookup has been answered and taken in

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/relationship/acc_1/p0-friend") and not answered.is_set():
            answered.wait(10)  # p0's lookup is out until the run has read the sheet again
        if path.endswith("/relationship/acc_2/q0-friend"):
            write_csv(files.sheet, [headers, *rows[1:]])  # the user deletes p0's row
            clock.advance(minutes=2)  # a checkpoint is due at the answer
        if request.url.path.endswith("/message") and b"q0-friend" in request.content:
            answered.set()  # q0's send follows its lookup's answer: the sheet was read again
        return inner.handle_request(request)

    report = run_in_process(files, clock, httpx.MockTransport(handle))
    assert report.rereads == 1
    assert sorted(sent_to(sim)) == ["p1-friend", "q0-friend"]  # p0's send never left
    assert set(by_id(files)) == {"q0-friend", "p1-friend"}
