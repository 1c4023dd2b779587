"""`write_message = true`: the message_sent column holds the exact text that went out, CSV and
Excel, written from the journal and left alone once the campaign stops asking for it."""

from __future__ import annotations

import shutil
import signal
import time

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table as ExcelTable

from runner.pacing import Pacing
from runner.sandbox import Sandbox, transport
from runner.sheet import fold_header, read_table
from tests.support.campaign import (
    API_KEY,
    HEADERS,
    Api,
    CampaignFiles,
    make_campaign,
    people,
    run_in_process,
)
from tests.support.faults import Fault, FaultKind
from tests.support.process import start, wait_for_requests

SHEETS = ["leads.csv", "leads.xlsx"]
ON = "write_message = true"
HEADERS_WITH_TYPE = [*HEADERS, "messageType"]
ROWS = [
    ["Una", "Acme", "una-0", "", ""],  # delivered, but no answer came: unknown
    ["Ann", "Acme", "ann-1", "", ""],  # sent
    ["Fay", "Acme", "invalid-fay", "", ""],  # refused (404): failed
    ["Ivy", "Acme", "", "", ""],  # nobody to send to: invalid
    ["Bo", "Bolt", "bo-2", "", ""],  # sent
    ["Pat", "Acme", "pat-5", "", ""],  # past --limit: pending
]


def by_person(files: CampaignFiles) -> dict[str, dict[str, str]]:
    """The sheet's rows by first name, as the runner reads them."""
    return {row["First Name"]: row for row in files.rows()}


def texts(files: CampaignFiles) -> dict[str, str]:
    """Each row's message_sent (or a look-alike column's) cell, by first name."""
    column = next(h for h in headers(files) if fold_header(h) == "messagesent")
    return {name: row[column] for name, row in by_person(files).items()}


def went_out(api: Api) -> dict[str, str]:
    """What the API took for each recipient, as message_sent shows it."""
    sent = {}
    for request in api.sim.received:
        payload = request.payload or {}
        who = payload.get("recipientProfileId") or payload.get("recipientProfileUrn")
        subject = payload.get("subject")
        body = payload["message"]
        sent[who] = f"Subject: {subject}\n\n{body}" if subject else body
    return sent


def headers(files: CampaignFiles) -> tuple[str, ...]:
    return read_table(files.sheet).headers


def switch(files: CampaignFiles, on: bool) -> None:
    text = files.toml.read_text(encoding="utf-8").replace(ON, "")
    files.toml.write_text((ON + "\n" if on else "") + text, encoding="utf-8")


@pytest.mark.parametrize("sheet", SHEETS)
def test_message_sent_holds_what_went_out_and_survives_a_rerun(tmp_path, api, sheet):
    files = make_campaign(tmp_path, ROWS, extra=ON, sheet_name=sheet)
    api.sim.inject(Fault(FaultKind.DROP_AFTER))  # Una's: delivered, then the line went dead
    assert api.run(files, "--limit", "4") == 0
    statuses = {name: row["status"] for name, row in by_person(files).items()}
    assert statuses == {
        "Una": "unknown",
        "Ann": "sent",
        "Fay": "failed",
        "Ivy": "invalid",
        "Bo": "sent",
        "Pat": "pending",
    }
    out = went_out(api)
    assert out["ann-1"] == "Hi Ann, greetings from Acme."
    assert texts(files) == {
        "Una": out["una-0"],  # it may have gone out: what did, if it did
        "Ann": out["ann-1"],
        "Fay": "",
        "Ivy": "",
        "Bo": out["bo-2"],
        "Pat": "",
    }
    assert headers(files)[-6:] == (
        "status",
        "status_detail",
        "sent_at",
        "recipient_urn",
        "status_for",
        "message_sent",
    )

    first = texts(files)

    assert api.run(files) == 0  # Pat's turn; nobody else is sent again
    assert len(api.sim.received) == 5
    assert texts(files) == {**first, "Pat": went_out(api)["pat-5"]}
    assert headers(files).count("message_sent") == 1
    assert len(headers(files)) == len(set(headers(files)))


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_sheet_written_without_it_gets_the_column_from_the_journal(tmp_path, api, sheet):
    files = make_campaign(tmp_path, ROWS[1:2] + ROWS[4:5], sheet_name=sheet)
    assert api.run(files) == 0
    assert "message_sent" not in headers(files)
    switch(files, on=True)
    assert api.run(files) == 0
    assert len(api.sim.received) == 2  # nothing sent again: the texts come from the journal
    out = went_out(api)
    assert texts(files) == {"Ann": out["ann-1"], "Bo": out["bo-2"]}
    assert headers(files)[-1] == "message_sent"


def test_an_excel_table_holding_the_statuses_is_widened_over_it(tmp_path, api):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook()
    for row in [HEADERS, *ROWS[1:2], *ROWS[4:5]]:
        book.active.append(row)
    book.active.add_table(ExcelTable(displayName="Leads", ref="A1:E3"))
    book.save(files.sheet)
    assert api.run(files) == 0
    assert load_workbook(files.sheet).active.tables["Leads"].ref == "A1:J3"
    switch(files, on=True)
    assert api.run(files) == 0
    table = load_workbook(files.sheet).active.tables["Leads"]
    assert (table.ref, table.tableColumns[-1].name) == ("A1:K3", "message_sent")
    assert texts(files) == went_out_by_name(api, {"Ann": "ann-1", "Bo": "bo-2"})


def went_out_by_name(api: Api, ids: dict[str, str]) -> dict[str, str]:
    out = went_out(api)
    return {name: out[who] for name, who in ids.items()}


@pytest.mark.parametrize("sheet", SHEETS)
def test_turned_off_the_column_is_left_as_it_is(tmp_path, api, sheet):
    files = make_campaign(tmp_path, ROWS[1:2], extra=ON, sheet_name=sheet)
    assert api.run(files) == 0
    written = texts(files)
    switch(files, on=False)
    add_row(files, ["Cy", "Acme", "cy-9", "", ""])
    assert api.run(files) == 0
    assert [r.payload["recipientProfileId"] for r in api.sim.received] == ["ann-1", "cy-9"]
    assert by_person(files)["Cy"]["status"] == "sent"
    assert texts(files) == {**written, "Cy": ""}  # not written any more, nothing taken away
    assert headers(files).count("message_sent") == 1


def add_row(files: CampaignFiles, row: list[str]) -> None:
    if files.sheet.suffix == ".csv":
        with files.sheet.open("a", encoding="utf-8") as handle:
            handle.write(",".join(row) + "\n")
        return
    book = load_workbook(files.sheet)
    book.active.append(row)
    book.save(files.sheet)


@pytest.mark.parametrize("sheet", SHEETS)
def test_subjects_go_above_the_text_they_went_out_with(tmp_path, api, sheet):
    files = make_campaign(
        tmp_path,
        [
            ["Ann", "Acme", "ann-1", "", "", "normal"],
            ["Bo", "Bolt", "bo-2", "", "", "inmail"],
            ["Gus", "Acme", "", "urn:li:fsd_profile:ACoAAGus", "4242", ""],  # group: no subject
        ],
        headers=HEADERS_WITH_TYPE,
        subject="Quick question, {{ first_name }}",
        extra=ON,
        sheet_name=sheet,
    )
    assert api.run(files) == 0
    assert texts(files) == {
        "Ann": "Subject: Quick question, Ann\n\nHi Ann, greetings from Acme.",
        "Bo": "Subject: Quick question, Bo\n\nHi Bo, greetings from Bolt.",
        "Gus": "Hi Gus, greetings from Acme.",
    }
    out = went_out(api)
    assert texts(files) == {
        "Ann": out["ann-1"],
        "Bo": out["bo-2"],
        "Gus": out["urn:li:fsd_profile:ACoAAGus"],
    }


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_message_starting_with_equals_stays_text(tmp_path, api, sheet):
    files = make_campaign(
        tmp_path, ROWS[1:2], message="=1+1 {{ first_name }}", extra=ON, sheet_name=sheet
    )
    assert api.run(files) == 0
    assert went_out(api)["ann-1"] == "=1+1 Ann"
    # As in every status cell: a leading apostrophe, so that no spreadsheet runs it.
    assert texts(files) == {"Ann": "'=1+1 Ann"}
    if sheet.endswith(".csv"):
        assert "'=1+1 Ann" in files.sheet.read_text(encoding="utf-8")
    else:
        cell = load_workbook(files.sheet).active.cell(row=2, column=11)
        assert (cell.value, cell.data_type) == ("'=1+1 Ann", "s")


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_message_longer_than_a_cell_is_kept_whole_in_csv_and_cut_saying_so_in_excel(
    tmp_path, api, sheet
):
    files = make_campaign(
        tmp_path,
        ROWS[1:2],
        message="{{ first_name }}: " + "lorem ipsum " * 3333,  # 40,000 characters, sent
        extra=ON,
        tables="[limits]\nmessage = 50000",
        sheet_name=sheet,
    )
    assert api.run(files) == 0
    sent = went_out(api)["ann-1"]
    assert len(sent) == 40000
    text = texts(files)["Ann"]
    if sheet.endswith(".csv"):
        assert text == sent  # a CSV cell has no limit
    else:
        assert len(text) == 32767  # what an Excel cell holds
        note = "\n[… cut: 40,000 characters in all, more than a cell holds; the journal has them]"
        assert text == sent[: 32767 - len(note)] + note
    assert api.run(files) == 0  # read back and written again the same
    assert texts(files)["Ann"] == text


def test_its_own_texts_written_at_a_checkpoint_are_not_taken_for_the_users_edit(tmp_path, clock):
    rows = [[*row, ""] for row in people(4)]  # the column is there, empty, when the run reads it
    files = make_campaign(tmp_path, rows, headers=[*HEADERS, "message_sent"], extra=ON)
    sim = Sandbox(API_KEY, clock)
    report = run_in_process(files, clock, transport(sim), pacing=Pacing(40, 40))
    assert report.sent == 4
    assert report.rereads == 0  # the texts the checkpoint wrote are the runner's own
    assert texts(files) == {f"Person{i}": f"Hi Person{i}, greetings from Acme." for i in range(4)}


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_sent_the_journal_takes_from_the_sheet_keeps_its_text(tmp_path, api, sheet):
    files = make_campaign(tmp_path, ROWS[1:2], extra=ON, sheet_name=sheet)
    assert api.run(files) == 0
    written = texts(files)
    shutil.rmtree(files.state)  # the journal is lost: only the sheet knows the text now
    assert api.run(files, "--trust-sheet") == 0
    assert texts(files) == written == {"Ann": "Hi Ann, greetings from Acme."}
    assert len(api.sim.received) == 1


def test_templates_do_not_see_the_column(tmp_path, api):
    files = make_campaign(tmp_path, ROWS[1:2], extra=ON)
    assert api.run(files) == 0
    assert "message_sent" in headers(files)
    (tmp_path / "message.txt.j2").write_text("Hi {{ message_sent }}", encoding="utf-8")
    add_row(files, ["Cy", "Acme", "cy-9", "", ""])
    assert api.run(files) == 2
    assert len(api.sim.received) == 1


def test_a_column_of_the_users_named_like_it_is_refused(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path,
        [["Ann", "Acme", "ann-1", "yes"], ["Bo", "Bolt", "bo-2", ""]],
        headers=["First Name", "Company", "recipientProfileId", "Message Sent"],
        extra=ON,
    )
    before = files.sheet.read_bytes()
    assert api.run(files) == 2
    assert "the column 'Message Sent' holds 'yes', which the runner did not write" in (
        capsys.readouterr().err
    )
    assert api.sim.received == [] and files.sheet.read_bytes() == before
    switch(files, on=False)  # not written: nothing to guard
    assert api.run(files) == 0
    assert texts(files) == {"Ann": "yes", "Bo": ""}


def test_a_send_cut_short_on_the_wire_shows_what_may_have_gone_out(tmp_path, api):
    files = make_campaign(tmp_path, ROWS[1:2] + ROWS[4:5], extra=ON + "\n[api]\ntimeout = 60")
    api.sim.inject(Fault(FaultKind.HANG, seconds=20))  # Ann's is taken, its answer never comes
    proc = start(files, api)
    wait_for_requests(api, 1, proc)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)  # a second stop: the send on the wire is abandoned
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    rows = by_person(files)
    assert (rows["Ann"]["status"], rows["Bo"]["status"]) == ("unknown", "pending")
    assert texts(files) == {"Ann": went_out(api)["ann-1"], "Bo": ""}
