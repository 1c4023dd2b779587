"""The status columns' guards: a column of the user's own named like one of the runner's is
refused, and a sheet changed since it was read is not overwritten."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from runner import failpoints
from runner.errors import SheetChanged
from runner.sheet import STATUS_COLUMNS, SheetRow, Table, fold_header, read_table, write_statuses
from runner.sheet.statuscols import check_status_columns
from runner.status import Status
from tests.support.sheet import SENT, error, make_workbook

URN = "urn:li:fsd_profile:ACoAA1"


def guard(headers: list[str], *rows: list[str]) -> None:
    """Run the look-alike guard on a sheet, with the status columns found as read_layout does."""
    table = Table(
        Path("leads.csv"),
        "csv",
        None,
        tuple(headers),
        tuple(SheetRow(number, tuple(cells)) for number, cells in enumerate(rows, start=2)),
    )
    folded = [fold_header(h) for h in headers]
    keys = [fold_header(name) for name in STATUS_COLUMNS]
    check_status_columns(table, tuple(folded.index(k) if k in folded else None for k in keys))


def refusal(headers: list[str], *rows: list[str]) -> str:
    return error(guard, headers, *rows)


def test_a_users_own_status_column_is_refused() -> None:
    assert refusal(
        ["First Name", "profileId", "Status"], ["Ann", "ann", "Hot lead - call Tuesday"]
    ) == (
        "leads.csv: row 2: the column 'Status' holds 'Hot lead - call Tuesday', which the runner "
        "did not write; it writes into columns named status, status_detail, sent_at, "
        "recipient_urn, status_for, so rename your column (e.g. 'stage' or 'notes') and run "
        "again"
    )


def test_the_statuses_the_runner_writes_are_its_own_but_in_flight_is_not() -> None:
    written = [str(s) for s in Status if s is not Status.IN_FLIGHT]
    rows = [["ann", f" {status} "] for status in [*written, ""]]
    guard(["profileId", "status"], *rows)
    # in_flight is a journal state only; the runner never writes it into a sheet.
    assert refusal(["profileId", "status"], *rows, ["bob", "in_flight"]).startswith(
        f"leads.csv: row {len(rows) + 2}: the column 'status' holds 'in_flight', which the runner "
        "did not write;"
    )


@pytest.mark.parametrize(
    "retyped",
    ["2026-01-15T09:00:00Z", "2026-01-15 09:00:00", "15/01/2026 09:00", "1/15/26 9:00 AM"],
)
def test_a_sent_at_must_read_as_a_date_and_time(retyped: str) -> None:
    """As the runner writes it, or as a spreadsheet may re-type it on saving; words make it the
    user's own column."""
    headers = ["profileId", "status", "Sent At"]
    guard(headers, ["ann", "sent", retyped])
    assert refusal(
        headers, ["ann", "sent", retyped], ["bob", "", "2025-11-02 (connection request)"]
    ) == (
        "leads.csv: row 3: the column 'Sent At' holds '2025-11-02 (connection request)', which "
        "the runner did not write; it writes into columns named status, status_detail, sent_at, "
        "recipient_urn, status_for, so rename your column (e.g. 'stage' or 'notes') and run "
        "again"
    )


@pytest.mark.parametrize("with_status", [False, True], ids=["no-status-column", "empty-status"])
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Status Detail", "warm intro via Bo"),
        ("Recipient URN", URN),
        ("sent_at", "2026-01-15T09:00:00Z"),
    ],
)
def test_a_detail_urn_or_time_with_no_status_anywhere_is_refused(
    with_status: bool, column: str, value: str
) -> None:
    """The runner writes the other three only beside a status: without one in any row, a column
    named like them is the user's own, however well its values would fit."""
    headers = ["profileId", *(["status"] if with_status else []), column]
    cells = ["ann", *([""] if with_status else []), value]
    assert refusal(headers, ["bob", *([""] if with_status else []), ""], cells) == (
        f"leads.csv: row 3: the column {column!r} holds {value!r}, which the runner did not "
        "write; it writes into columns named status, status_detail, sent_at, recipient_urn, "
        "status_for, so rename your column (e.g. 'stage' or 'notes') and run again"
    )


def test_a_cleared_status_may_keep_its_old_detail_once_the_runner_wrote_a_status() -> None:
    """A user clears a status to have the row sent again and leaves the rest: still the runner's
    columns, as long as a status written by the runner shows they are."""
    headers = ["profileId", "status", "status_detail", "sent_at", "recipient_urn"]
    cleared = ["ann", "", "invalid profile id", "2026-01-15T09:00:00Z", URN]
    guard(headers, cleared, ["bob", "sent", "", "2026-01-15T09:05:00Z", URN])
    assert refusal(headers, cleared).startswith(
        "leads.csv: row 2: the column 'status_detail' holds 'invalid profile id', which the "
        "runner did not write;"
    )


def unstamped(table: Table) -> Table:
    """As if the file system could not tell a save (coarse times, a write in place): the cells
    themselves are compared, a second line of defence."""
    return replace(table, stamp=None)


def test_a_save_since_the_read_is_noticed_by_its_stamp(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    table = read_table(sheet)
    sheet.write_bytes(b"name\nAnn\nBob\n")  # saved again, even with the same cells
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: changed since it was read; statuses were not written, so nothing changed in "
        "the meantime is overwritten"
    )
    with pytest.raises(SheetChanged):
        write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes() == b"name\nAnn\nBob\n"


@pytest.mark.parametrize("name", ["leads.csv", "leads.xlsx"])
def test_a_save_landing_during_a_write_wins_over_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    sheet = tmp_path / name
    if name.endswith(".csv"):
        sheet.write_bytes(b"name\nAnn\n")
    else:
        make_workbook(sheet, {"Leads": [["name"], ["Ann"]]})
    table = read_table(sheet)

    def users_save(point: str) -> None:  # the user saves while the new file is being written
        if point == failpoints.SHEET_MID_WRITE:
            os.utime(sheet, ns=(1, 1))
            saved.append(sheet.read_bytes())

    saved: list[bytes] = []
    monkeypatch.setattr(failpoints, "reached", users_save)
    with pytest.raises(SheetChanged):
        write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes() == saved[0]  # the user's save stands
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_sheet_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    table = unstamped(read_table(sheet))
    sheet.write_bytes(b"name\nNew\nAnn\nBob\n")
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: changed since it was read (row 2 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )
    assert sheet.read_bytes() == b"name\nNew\nAnn\nBob\n"


def test_csv_header_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("name,id\nAnn,1\n", encoding="utf-8")
    table = unstamped(read_table(path))
    path.write_text("Name Renamed,id\nAnn,1\n", encoding="utf-8")
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.csv: changed since it was read (row 1 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )


def test_xlsx_changed_since_read(tmp_path: Path) -> None:
    """A workbook is known by its stamp alone (Excel saves by writing a new file, so the stamp
    always tells): its cells are not read again before each write, which at 100,000 rows
    would cost more than the write."""
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Bob"]]})
    table = read_table(path)
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Rob"]]})
    saved = path.read_bytes()
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.xlsx: changed since it was read; statuses were not written, so nothing changed "
        "in the meantime is overwritten"
    )
    assert path.read_bytes() == saved


def test_every_status_cleared_is_still_the_runners_columns_when_status_for_names_people():
    """The user cleared the one failed row's status to have it sent again; status_for, which
    only the runner writes, shows whose columns they are."""
    headers = ["profileId", "status", "status_detail", "status_for"]
    guard(headers, ["ann", "", "HTTP 400: no InMail credits", "ann"])
    assert refusal(headers[:3], ["ann", "", "HTTP 400: no InMail credits"]).startswith(
        "leads.csv: row 2: the column 'status_detail' holds"
    )
