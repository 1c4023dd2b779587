"""message_sent, the runner's sixth column (with the campaign's write_message): its guard
against a column of the user's own named like it, and how each writer fills it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from runner.rows import read_layout
from runner.sheet import (
    STATUS_COLUMNS,
    SheetRow,
    Table,
    existing_status_columns,
    read_table,
    write_csv_as_xlsx,
    write_statuses,
)
from runner.sheet.statuscols import check_status_columns, fitted
from runner.status import Status, StatusCells
from tests.support.sheet import error, make_workbook

HEADERS = ["First Name", "profileId", *STATUS_COLUMNS, "message_sent"]
ASKED = Table(Path("leads.csv"), "csv", None, (), (), message_column=True)


def guard(headers: list[str], *rows: list[str], asked: bool = True) -> None:
    """The look-alike guard as read_layout runs it, for a campaign with write_message or not."""
    table = replace(
        ASKED,
        headers=tuple(headers),
        rows=tuple(SheetRow(n, tuple(cells)) for n, cells in enumerate(rows, start=2)),
        message_column=asked,
    )
    check_status_columns(table, existing_status_columns(table.headers))


def test_a_users_own_column_is_refused_where_the_runner_would_write_it() -> None:
    headers = ["First Name", "profileId", "Message Sent"]
    assert error(guard, headers, ["Ann", "ann", "yes"], ["Bo", "bo", ""]) == (
        "leads.csv: row 2: the column 'Message Sent' holds 'yes', which the runner did not "
        "write; it writes into columns named status, status_detail, sent_at, recipient_urn, "
        "status_for, message_sent, so rename your column (e.g. 'stage' or 'notes') and run again"
    )
    guard(headers, ["Ann", "ann", "yes"], asked=False)  # never written: left alone


def test_beside_the_runners_statuses_only_sent_and_unknown_rows_hold_a_text() -> None:
    text = "Hi Ann, " + "a long message " * 10
    sent = ["Ann", "ann", "sent", "", "2026-01-15T09:00:00Z", "", "ann #123456", text]
    unknown = ["Ann", "ann", "unknown", "no answer", "", "", "", text]
    cleared = ["Ann", "ann", "", "", "", "", "", text]  # the user cleared the status
    guard(HEADERS, sent, unknown, cleared)
    pending = ["Bo", "bo", "pending", "", "", "", "", text]
    assert error(guard, HEADERS, sent, pending).startswith(
        "leads.csv: row 3: the column 'message_sent' holds 'Hi Ann, a long message a long "
        "message a long message a lo...', which the runner did not write;"
    )
    guard(HEADERS, sent, pending, asked=False)


def test_a_second_message_sent_column_is_refused_and_none_is_ever_data() -> None:
    rows = (SheetRow(2, ("ann", "", "")),)
    table = Table(
        Path("leads.csv"), "csv", None, ("profileId", "message_sent", "Message Sent"), rows
    )
    assert read_layout(table).data_headers == ("profileId",)  # the runner's, written or not
    assert error(read_layout, replace(table, message_column=True)) == (
        "leads.csv: columns B and C are both named 'message_sent'; the runner writes its "
        "statuses into one of them: rename or delete the other"
    )


SENT = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", "urn:li:fsd_profile:A", "ann")


def test_csv_gets_the_column_only_when_asked_and_keeps_what_the_journal_cannot_tell(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_text("profileId\nann\nbo\n", encoding="utf-8")
    table = read_table(sheet)
    write_statuses(table, {2: replace(SENT, message="=Hi\nAnn")}, sheet)
    assert read_table(sheet).headers == ("profileId", *STATUS_COLUMNS)  # not asked for
    asked = replace(read_table(sheet), message_column=True)
    write_statuses(asked, {2: replace(SENT, message="=Hi\nAnn"), 3: StatusCells()}, sheet)
    again = replace(read_table(sheet), message_column=True)
    assert again.headers[-1] == "message_sent"
    assert [row.cells[-1] for row in again.rows] == ["'=Hi\nAnn", ""]
    write_statuses(again, {2: replace(SENT, message=None)}, sheet)  # the journal has no text
    assert read_table(sheet).rows[0].cells[-1] == "'=Hi\nAnn"


@pytest.mark.parametrize("kind", ["xlsx", "csv as xlsx"])
def test_workbooks_cut_a_text_too_long_for_a_cell_saying_so(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        path = tmp_path / "leads.xlsx"
        make_workbook(path, {"Leads": [["profileId"], ["ann"], ["bo"]]})
        target = path
    else:
        path = tmp_path / "leads.csv"
        path.write_text("profileId\nann\nbo\n", encoding="utf-8")
        target = tmp_path / "leads.xlsx"
    table = replace(read_table(path), message_column=True)
    long = "é" * 39_990 + "😀" * 5  # each emoji two characters, as Excel counts them
    statuses = {2: replace(SENT, message=long), 3: replace(SENT, message="Hi Bo")}
    if kind == "xlsx":
        write_statuses(table, statuses, target)
    else:
        write_csv_as_xlsx(table, statuses, target)
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]] == ["profileId", *STATUS_COLUMNS, "message_sent"]
    assert sheet["G3"].value == "Hi Bo"
    assert sheet["G2"].value == fitted(long)
    assert fitted(long).endswith(
        "é\n[… cut: 40,000 characters in all, more than a cell holds; the journal has them]"
    )
    assert len(fitted(long)) == 32_767
    assert sheet.column_dimensions["G"].width == 50
    if kind == "xlsx":  # a text the journal does not hold is kept as the cell has it
        again = replace(read_table(path), message_column=True)
        write_statuses(again, {3: replace(SENT, message=None)}, path)
        assert openpyxl.load_workbook(path).active["G3"].value == "Hi Bo"


def test_fitted_leaves_what_fits_alone_and_never_splits_a_character() -> None:
    assert fitted("x" * 32_767) == "x" * 32_767
    cut = fitted("😀" * 20_000)  # 40,000 characters as Excel counts them
    kept, note = cut.split("\n[")
    assert len(cut.encode("utf-16-le")) // 2 <= 32_767 and kept == "😀" * len(kept)
    assert len(kept) > 16_000 and note.startswith("… cut: 40,000 characters in all")
