"""The sheet reader and writer on real files: every cell we were not asked to write stays put."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from runner.errors import SheetError
from runner.sheet import (
    STATUS_COLUMNS,
    SheetRow,
    WriteReport,
    fold_header,
    read_table,
    write_statuses,
)
from runner.sheet.numfmt import display_text
from runner.status import Status, StatusCells

SENT = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", "urn:li:fsd_profile:ACoAA1")
FAILED = StatusCells(Status.FAILED, '=HYPERLINK("http://evil","x")', "", "")


def error(call: Callable[..., object], *args: object) -> str:
    with pytest.raises(SheetError) as caught:
        call(*args)
    return str(caught.value)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# display_text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (None, "General", ""),
        ("", "General", ""),
        ("  spaced  ", "General", "  spaced  "),
        (True, "General", "TRUE"),
        (False, "General", "FALSE"),
        (12345678, "General", "12345678"),
        (12345678.0, "General", "12345678"),
        (1234567890123456789, "General", "1234567890123456789"),
        (3.5, "General", "3.5"),
        (0.1, "General", "0.1"),
        (-2.0, "General", "-2"),
        (1234567, "00000000", "01234567"),
        (1234567.0, "00000000", "01234567"),
        (42, "0", "42"),
        (2.5, "0", "3"),
        (3.14159, "0.00", "3.14"),
        (-1234.5, "#,##0.00", "-1,234.50"),
        (1234567.891, "#,##0", "1,234,568"),
        (0.256, "0%", "26%"),
        (0.2567, "0.00%", "25.67%"),
        (5, "@", "5"),
        (12, "#,##0;[Red]-#,##0", "12"),
        (42, "0.0E+00", "42"),  # not a format we render: General
        (datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd", "2024-03-05"),
        (datetime(2024, 3, 5, 14, 7, 9), "m/d/yyyy", "3/5/2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "d/m/yyyy", "5/3/2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "dd.mm.yyyy", "05.03.2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd hh:mm:ss", "2024-03-05 14:07:09"),
        (datetime(2024, 3, 5, 14, 7, 9), "m/d/yyyy h:mm AM/PM", "3/5/2024 2:07 PM"),
        (datetime(2024, 3, 5, 14, 7, 9), "[$-409]mmmm d, yyyy;@", "March 5, 2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "d-mmm-yy", "5-Mar-24"),
        (datetime(2024, 3, 5, 14, 7, 9), "YYYY-MM-DD", "2024-03-05"),
        (datetime(2024, 3, 5, 10, 29, 59, 999600), "yyyy-mm-dd hh:mm:ss", "2024-03-05 10:30:00"),
        (datetime(2024, 3, 5, 14, 7, 9), "General", "2024-03-05 14:07:09"),
        (datetime(2024, 3, 5), "a format we do not know", "2024-03-05"),
        (date(2024, 3, 5), "mm-dd-yy", "03-05-24"),
        (time(9, 5), "h:mm", "9:05"),
        (time(21, 5), "h:mm AM/PM", "9:05 PM"),
        (time(9, 5, 30), "General", "09:05:30"),
        (timedelta(hours=30, minutes=5), "[h]:mm:ss", "30:05:00"),
    ],
)
def test_display_text(value: object, number_format: str, shown: str) -> None:
    assert display_text(value, number_format) == shown


def test_fold_header() -> None:
    assert fold_header("Recipient Profile-Id") == "recipientprofileid"
    assert fold_header(" STATUS_detail ") == "statusdetail"


# CSV: reading and writing back ------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_round_trip_keeps_the_file_format(
    tmp_path: Path, bom: bytes, delimiter: str, newline: str
) -> None:
    d, n = delimiter, newline
    original = [f"First Name{d}recipientProfileId{d}note", f"Ann{d}00123{d}a", f"Bob{d}12345678{d}"]
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(bom + n.join(original).encode() + n.encode())

    table = read_table(sheet)
    assert (table.kind, table.sheet_name) == ("csv", None)
    assert table.headers == ("First Name", "recipientProfileId", "note")
    assert table.rows == (SheetRow(2, ("Ann", "00123", "a")), SheetRow(3, ("Bob", "12345678", "")))

    report = write_statuses(table, {3: SENT}, sheet)
    assert report == WriteReport(sheet, None)
    expected = [
        original[0] + d + d.join(STATUS_COLUMNS),
        original[1] + d * 4,
        original[2] + d + d.join(SENT.texts()),
    ]
    assert sheet.read_bytes() == bom + n.join(expected).encode() + n.encode()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("header", "delimiter", "headers"),
    [
        (b"name", ",", ("name",)),
        (b"name;id", ";", ("name", "id")),
        (b'"a,b,c";id;x', ";", ("a,b,c", "id", "x")),
        (b'"say ""a,b""";id', ";", ('say "a,b"', "id")),
        (b'na"me;id', ";", ('na"me', "id")),
        (b"a|b|c;d", "|", ("a", "b", "c;d")),
        (b"a,b;c,d;e", ",", ("a", "b;c", "d;e")),  # a tie goes to the comma
    ],
)
def test_csv_delimiter_comes_from_the_header(
    tmp_path: Path, header: bytes, delimiter: str, headers: tuple[str, ...]
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(header + b"\n" + delimiter.encode().join([b"v"] * len(headers)) + b"\n")
    table = read_table(sheet)
    assert table.headers == headers
    assert table.rows[0].cells == ("v",) * len(headers)


def test_csv_quoted_newline_counts_as_one_row(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b'name,note\r\nAnn,"line one\r\nline two, with comma"\r\nBob,x\r\n')
    table = read_table(sheet)
    assert table.rows == (
        SheetRow(2, ("Ann", "line one\r\nline two, with comma")),
        SheetRow(3, ("Bob", "x")),
    )
    write_statuses(table, {3: SENT}, sheet)
    assert sheet.read_bytes() == (
        b"name,note,status,status_detail,sent_at,recipient_urn\r\n"
        b'Ann,"line one\r\nline two, with comma",,,,\r\n'
        b"Bob,x,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1\r\n"
    )
    assert read_table(sheet).rows[0].cells[1] == "line one\r\nline two, with comma"


def test_csv_in_cp1252_stays_cp1252(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    original = "name;city;price\r\nRené;Zürich;€5\r\nZoë;Köln;€7\r\n".encode("cp1252")
    sheet.write_bytes(original)
    table = read_table(sheet)
    assert table.rows[0].cells == ("René", "Zürich", "€5")

    write_statuses(table, {2: StatusCells(Status.FAILED, "no → 😀 café")}, sheet)
    written = sheet.read_bytes()
    assert written == (
        "name;city;price;status;status_detail;sent_at;recipient_urn\r\n"
        "René;Zürich;€5;failed;no ? ? café;;\r\n"
        "Zoë;Köln;€7;;;;\r\n"
    ).encode("cp1252")
    for line in original.splitlines():
        assert line in written
    assert read_table(sheet).rows[1].cells[:3] == ("Zoë", "Köln", "€7")


def test_csv_undecodable_in_cp1252_falls_back_to_latin1(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\r\nA\x81\xe9\r\n")
    table = read_table(sheet)
    assert table.rows[0].cells == ("A\x81é",)
    write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes().startswith(
        b"name,status,status_detail,sent_at,recipient_urn\r\nA\x81\xe9,"
    )


def test_csv_blank_lines_are_skipped_but_kept(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,id\n\nAnn,1\n,\n\nBob,2\n\n")
    table = read_table(sheet)
    assert [(r.number, r.cells) for r in table.rows] == [(3, ("Ann", "1")), (6, ("Bob", "2"))]
    write_statuses(table, {6: SENT}, sheet)
    assert sheet.read_bytes() == (
        b"name,id,status,status_detail,sent_at,recipient_urn\n"
        b"\n"
        b"Ann,1,,,,\n"
        b",,,,,\n"
        b"\n"
        b"Bob,2,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1\n"
        b"\n"
    )


def test_csv_without_final_newline_stays_so(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn")
    write_statuses(read_table(sheet), {2: SENT}, sheet)
    assert sheet.read_bytes().endswith(b"urn:li:fsd_profile:ACoAA1")


def test_csv_existing_status_columns_are_reused(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,Status,notes,Sent At\nAnn,old,x,\nBob,,y,\n")
    table = read_table(sheet)
    write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes() == (
        b"name,Status,notes,Sent At,status_detail,recipient_urn\n"
        b"Ann,sent,x,2026-01-15T09:00:00Z,,urn:li:fsd_profile:ACoAA1\n"
        b"Bob,,y,,,\n"
    )
    # A second write starts from the sheet as it is now: the same table, the same columns.
    write_statuses(table, {2: SENT, 3: FAILED}, sheet)
    first = sheet.read_bytes()
    assert first.splitlines()[0] == b"name,Status,notes,Sent At,status_detail,recipient_urn"
    assert first.splitlines()[2] == b'Bob,failed,y,,"\'=HYPERLINK(""http://evil"",""x"")",'
    # The same statuses again: the same bytes, and the file is not even rewritten.
    mtime = sheet.stat().st_mtime_ns
    write_statuses(read_table(sheet), {2: SENT, 3: FAILED}, sheet)
    assert sheet.read_bytes() == first
    assert sheet.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_status_values_never_become_formulas(tmp_path: Path, value: str) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    write_statuses(read_table(sheet), {2: StatusCells(Status.FAILED, value)}, sheet)
    assert read_table(sheet).rows[0].cells[2] == "'" + value


def test_csv_ragged_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,id,,\nAnn\nBob,2,,,,\n")
    table = read_table(sheet)
    assert table.headers == ("name", "id")
    assert table.rows == (SheetRow(2, ("Ann", "")), SheetRow(3, ("Bob", "2")))
    write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes().splitlines()[1:] == [
        b"Ann,,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1",
        b"Bob,2,,,,",
    ]

    sheet.write_bytes(b"name,id\nAnn,1\nBob,2,,extra\n")
    assert error(read_table, sheet) == (
        "leads.csv: row 3: cell D3 has a value but column D has no header; give the column a "
        "header or clear the cell (status columns are added right of the header)"
    )


def test_csv_written_to_another_file(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    os.chmod(sheet, 0o640)
    output = tmp_path / "out" / "result.csv"
    output.parent.mkdir()
    report = write_statuses(read_table(sheet), {3: SENT}, output)
    assert report == WriteReport(output, None)
    assert sheet.read_bytes() == b"name\nAnn\nBob\n"
    assert output.read_bytes().splitlines()[2].startswith(b"Bob,sent,")
    assert stat.S_IMODE(output.stat().st_mode) == 0o640


def test_csv_behind_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "data" / "leads.csv"
    real.parent.mkdir()
    real.write_bytes(b"name\nAnn\n")
    link = tmp_path / "leads.csv"
    link.symlink_to(real)
    assert write_statuses(read_table(link), {2: SENT}, link).path == link
    assert link.is_symlink()
    assert real.read_bytes().startswith(b"name,status,")


def test_csv_in_place_keeps_permissions(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    os.chmod(sheet, 0o604)
    write_statuses(read_table(sheet), {2: SENT}, sheet)
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o604


def test_a_sheet_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    table = read_table(sheet)
    sheet.write_bytes(b"name\nNew\nAnn\nBob\n")
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: changed since it was read (row 2 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )
    assert sheet.read_bytes() == b"name\nNew\nAnn\nBob\n"


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    table = read_table(sheet)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: cannot be written: Permission denied (is it open in another program?)"
    )
    assert sheet.read_bytes() == b"name\nAnn\n"
    assert leftovers(tmp_path) == []


def test_statuses_for_a_row_that_is_not_data_is_a_bug(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    with pytest.raises(ValueError):
        write_statuses(read_table(sheet), {1: SENT}, sheet)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.csv", b"", "leads.csv: is empty"),
        ("leads.csv", b"\xef\xbb\xbf\r\n\r\n", "leads.csv: is empty"),
        ("leads.csv", b"name,id\r\n", "leads.csv: has a header but no data rows"),
        ("leads.csv", b"name,id\r\n,\r\n\r\n", "leads.csv: has a header but no data rows"),
        (
            "leads.csv",
            b"\nname\nAnn\n",
            "leads.csv: row 1 is blank; the header (column names) must be on row 1",
        ),
        (
            "leads.csv",
            b"id,First Name,x,First Name\n1,a,b,c\n",
            'leads.csv: columns B and D are both named "First Name"',
        ),
        (
            "leads.csv",
            b"id,First Name,first_name\n1,a,b\n",
            'leads.csv: columns B ("First Name") and C ("first_name") have the same name once '
            'case, spaces, "_" and "-" are ignored',
        ),
        (
            "leads.csv",
            "name\nAnn\n".encode("utf-16"),
            'leads.csv: is UTF-16 text; save it as "CSV UTF-8 (Comma delimited)"',
        ),
        (
            "leads.xls",
            b"\xd0\xcf\x11\xe0",
            "leads.xls: .xls files cannot be read; open it in Excel and save it as .xlsx "
            "(Excel Workbook)",
        ),
        ("leads.txt", b"name\nAnn\n", "leads.txt: unsupported file type; use a .csv or .xlsx file"),
        (
            "leads.xlsx",
            b"not a zip file",
            "leads.xlsx: cannot be read as an .xlsx workbook (BadZipFile: File is not a zip file); "
            "it may be damaged, or another kind of file renamed to .xlsx",
        ),
    ],
)
def test_sheet_errors(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert error(read_table, path) == message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "leads.csv"
    assert error(read_table, missing) == f"leads.csv: file not found at {missing}"
    (tmp_path / "dir.xlsx").mkdir()
    assert error(read_table, tmp_path / "dir.xlsx") == (
        "dir.xlsx: is a directory, not a .csv or .xlsx file"
    )


def test_csv_has_no_sheets(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    assert error(read_table, sheet, "Leads") == (
        'leads.csv: a CSV file has no sheets, so sheet "Leads" cannot be read; leave the sheet '
        "setting out"
    )


def test_target_of_another_kind(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    assert error(write_statuses, read_table(sheet), {}, tmp_path / "out.xlsx") == (
        "out.xlsx: statuses of a .csv sheet must be written to a .csv file"
    )


# XLSX ------------------------------------------------------------------------------------------


def make_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return book


def rewrite_part(path: Path, part: str, old: str, new: str) -> None:
    """Edit one XML part of an .xlsx the way another program would have written it."""
    with zipfile.ZipFile(path) as package:
        contents = {info: package.read(info) for info in package.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in contents.items():
            if info.filename == part:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            package.writestr(info, data)


def test_xlsx_picks_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Notes": [["note"], ["hello"]], "Leads": [["name"], ["Ann"]]})
    assert read_table(path).sheet_name == "Notes"
    table = read_table(path, "Leads")
    assert (table.kind, table.sheet_name, table.headers) == ("xlsx", "Leads", ("name",))
    assert table.rows == (SheetRow(2, ("Ann",)),)
    assert read_table(path, "leads").sheet_name == "Leads"
    assert error(read_table, path, "Prospects") == (
        'leads.xlsx: no sheet named "Prospects"; its sheets are "Notes", "Leads"'
    )


def test_xlsx_cells_read_as_shown(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "id", "big id", "score", "zip", "joined", "met", "active", None, None])
    sheet.append(["Ann", 12345678, 123456789012345, 3.25, 1234567, date(2024, 3, 5)])
    sheet.append(["Bob", 12345678.0, None, 0.1, 501, datetime(2024, 3, 5, 14, 7, 9)])
    sheet.append([])
    sheet.append(["Cy", None, None, None, None, datetime(2024, 12, 1), time(9, 5), True])
    sheet.append(["Dee", None, None, None, None, None, None, False])
    for row in (2, 3):
        sheet.cell(row, 5).number_format = "00000000"
    sheet["F5"].number_format = "dd.mm.yyyy"
    sheet["G5"].number_format = "h:mm"
    book.save(path)

    table = read_table(path)
    assert table.headers == ("name", "id", "big id", "score", "zip", "joined", "met", "active")
    assert [(r.number, r.cells) for r in table.rows] == [
        (2, ("Ann", "12345678", "123456789012345", "3.25", "01234567", "2024-03-05", "", "")),
        (3, ("Bob", "12345678", "", "0.1", "00000501", "2024-03-05 14:07:09", "", "")),
        (5, ("Cy", "", "", "", "", "01.12.2024", "9:05", "TRUE")),
        (6, ("Dee", "", "", "", "", "", "", "FALSE")),
    ]


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        ({"Leads": []}, 'leads.xlsx: sheet "Leads" is empty'),
        ({"Leads": [["name", "id"]]}, 'leads.xlsx: sheet "Leads" has a header but no data rows'),
        (
            {"Leads": [["id", "Email", "e-mail"], [1, "a", "b"]]},
            'leads.xlsx: columns B ("Email") and C ("e-mail") have the same name once case, '
            'spaces, "_" and "-" are ignored',
        ),
        (
            {"Leads": [["name", "id", None], ["Ann", 1, None, 7]]},
            "leads.xlsx: row 2: cell D2 has a value but column D has no header; give the column "
            "a header or clear the cell (status columns are added right of the header)",
        ),
    ],
)
def test_xlsx_errors(tmp_path: Path, sheets: dict[str, list[list[object]]], message: str) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, sheets)
    assert error(read_table, path) == message


def test_xlsx_with_a_wrong_stored_size_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name", "id"], ["Ann", 1], ["Bob", 2]]})
    rewrite_part(
        path, "xl/worksheets/sheet1.xml", '<dimension ref="A1:B3" />', '<dimension ref="A1" />'
    )
    assert [r.cells for r in read_table(path).rows] == [("Ann", "1"), ("Bob", "2")]


def test_xlsx_corrupt_package(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("hello.txt", "not a workbook")
    assert error(read_table, path).startswith("leads.xlsx: cannot be read as an .xlsx workbook (")


def styled_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["name", "id", "total"])
    sheet.append(["Ann", 123, 246])
    sheet.append(["Bob", 456, 912])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FF0000")
        cell.fill = PatternFill("solid", fgColor="FFFF00")
    sheet.column_dimensions["A"].width = 31
    sheet["B2"].number_format = "00000000"
    sheet.merge_cells("A5:B5")
    sheet["A5"] = "merged note"
    notes = book.create_sheet("Notes")
    notes["A1"] = "keep me"
    notes["B2"] = "=Leads!B2"
    book.save(path)


def test_xlsx_write_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    styled_workbook(path)
    os.chmod(path, 0o640)
    table = read_table(path)
    assert table.rows[0].cells == ("Ann", "00000123", "246")
    assert [r.number for r in table.rows] == [2, 3, 5]

    report = write_statuses(table, {2: SENT, 3: FAILED}, path)
    assert report == WriteReport(path, None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []

    book = openpyxl.load_workbook(path)
    sheet = book["Leads"]
    assert [c.value for c in sheet[1]] == ["name", "id", "total", *STATUS_COLUMNS]
    assert [c.value for c in sheet[2]] == ["Ann", 123, 246, *(v or None for v in SENT.texts())]
    assert sheet["B2"].number_format == "00000000"
    assert sheet.column_dimensions["A"].width == 31
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A5:B5"]
    for cell in sheet[1]:
        assert (cell.font.b, cell.font.color.rgb) == (True, "00FF0000")
        assert cell.fill.fgColor.rgb == "00FFFF00"
    assert (book["Notes"]["A1"].value, book["Notes"]["B2"].value) == ("keep me", "=Leads!B2")
    # Formula neutralisation: text, never a formula.
    assert sheet["E3"].value == '\'=HYPERLINK("http://evil","x")'
    assert sheet["E3"].data_type == "s"
    assert read_table(path).rows[1].cells[4] == '\'=HYPERLINK("http://evil","x")'


def test_xlsx_second_write_reuses_columns_and_same_statuses_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    styled_workbook(path)
    table = read_table(path)
    write_statuses(table, {2: SENT}, path)
    write_statuses(table, {2: SENT, 3: FAILED}, path)
    first = path.read_bytes()
    write_statuses(table, {2: SENT, 3: FAILED}, path)
    assert path.read_bytes() == first
    headers = [c.value for c in openpyxl.load_workbook(path)["Leads"][1]]
    assert headers == ["name", "id", "total", *STATUS_COLUMNS]


def test_xlsx_written_to_another_file(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    styled_workbook(path)
    before = path.read_bytes()
    output = tmp_path / "result.xlsx"
    assert write_statuses(read_table(path), {3: SENT}, output) == WriteReport(output, None)
    assert path.read_bytes() == before
    written = read_table(output)
    assert written.headers == ("name", "id", "total", *STATUS_COLUMNS)
    assert written.rows[1].cells[3:] == SENT.texts()


def test_xlsx_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Bob"]]})
    table = read_table(path)
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Rob"]]})
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.xlsx: changed since it was read (row 3 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )


def test_csv_header_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("name,id\nAnn,1\n", encoding="utf-8")
    table = read_table(path)
    path.write_text("Name Renamed,id\nAnn,1\n", encoding="utf-8")
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.csv: changed since it was read (row 1 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )


def test_xlsx_status_text_is_cleaned_of_what_xml_cannot_hold_and_capped(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"]]})
    detail = "bad\x00byte\x1b" + "x" * 40000
    write_statuses(read_table(path), {2: StatusCells(Status.FAILED, detail)}, path)
    cell = openpyxl.load_workbook(path)["Leads"]["C2"]
    assert cell.value.startswith("bad?byte?xxx") and len(cell.value) == 32767


def test_xlsx_merged_status_cell(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    book = make_workbook(path, {"Leads": [["name", "status", "status_detail"], ["Ann"]]})
    book["Leads"].merge_cells("B2:C2")
    book.save(path)
    assert error(write_statuses, read_table(path), {2: SENT}, path) == (
        "leads.xlsx: row 2: cell C2 is part of merged cells; unmerge them so the status can be "
        "written there"
    )


def test_xlsx_with_a_chart_goes_to_a_sibling(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    book = make_workbook(path, {"Leads": [["name", "score"], ["Ann", 3], ["Bob", 5]]})
    chart = BarChart()
    chart.add_data(Reference(book["Leads"], min_col=2, min_row=1, max_row=3), titles_from_data=True)
    book["Leads"].add_chart(chart, "D2")
    book.save(path)
    before = path.read_bytes()

    report = write_statuses(read_table(path), {2: SENT}, path)
    sibling = tmp_path / "leads.statuses.xlsx"
    assert report == WriteReport(
        sibling,
        "leads.xlsx has charts and drawings, which openpyxl would drop when saving it; it was "
        "left unchanged and the statuses were written to leads.statuses.xlsx",
    )
    assert path.read_bytes() == before
    assert read_table(sibling).rows[0].cells == ("Ann", "3", *SENT.texts())
    assert leftovers(tmp_path) == []


def test_xlsx_with_an_unsupported_extension_goes_to_a_sibling(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"]]})
    extension = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0" /></ext></extLst></worksheet>'
    )
    rewrite_part(path, "xl/worksheets/sheet1.xml", "</worksheet>", extension)
    before = path.read_bytes()
    report = write_statuses(read_table(path), {2: SENT}, path)
    assert report.path == tmp_path / "leads.statuses.xlsx"
    assert report.note == (
        'leads.xlsx has what openpyxl warned of ("Data Validation extension is not supported and '
        'will be removed"), which openpyxl would drop when saving it; it was left unchanged and '
        "the statuses were written to leads.statuses.xlsx"
    )
    assert path.read_bytes() == before


# Round trips of arbitrary text ------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "=",
        "=SUM(A1)",
        "+",
        "-",
        "@",
        '"',
        "'",
        ",",
        ";",
        "\t",
        "|",
        "\n",
        "\r",
        "\r\n",
        " ",
        "😀",
        "é€",
    ]
)
CSV_TEXT = st.lists(st.characters(exclude_categories=("Cs",)) | PIECES, max_size=6).map("".join)
# What openpyxl can put in a file: XML has no place for most control characters, and a bare "\r"
# comes back from XML as "\n". (The writer replaces such characters in status values with "?".)
XLSX_TEXT = CSV_TEXT.map(lambda s: re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]", "", s))
STATUS_KEYS = {fold_header(name) for name in STATUS_COLUMNS}
Grid = tuple[list[str], list[list[str]]]
Statuses = list[StatusCells]


@st.composite
def grids(draw: st.DrawFn, text: st.SearchStrategy[str]) -> Grid:
    header = text.filter(lambda h: fold_header(h) != "" and fold_header(h) not in STATUS_KEYS)
    # Two columns at least: a one-column CSV has no delimiter to tell which one it uses.
    headers = draw(st.lists(header, min_size=2, max_size=4, unique_by=fold_header))
    row = st.lists(text, min_size=len(headers), max_size=len(headers))
    rows = draw(st.lists(row, max_size=5))
    return headers, [*rows, ["x"] * len(headers)]  # at least one data row


def statuses(text: st.SearchStrategy[str]) -> st.SearchStrategy[Statuses]:
    cells = st.builds(StatusCells, st.sampled_from(list(Status)), text, text, text)
    return st.lists(cells, min_size=1, max_size=3)


def check_round_trip(path: Path, grid: Grid, choices: Statuses) -> None:
    headers, rows = grid
    table = read_table(path)
    assert table.headers == tuple(headers)
    expected = {n: tuple(r) for n, r in enumerate(rows, start=2) if any(r)}
    assert {r.number: r.cells for r in table.rows} == expected

    chosen = {n: choices[i % len(choices)] for i, n in enumerate(expected)}
    write_statuses(table, chosen, path)
    again = read_table(path)
    width = len(headers)
    assert again.headers == (*headers, *STATUS_COLUMNS)
    assert {r.number: r.cells[:width] for r in again.rows} == expected
    for row in again.rows:
        neutral = ("=", "+", "-", "@", "\t", "\r")
        texts = chosen[row.number].texts()
        shown = tuple("'" + v if v.startswith(neutral) else v for v in texts)
        assert row.cells[width:] == shown


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    grid=grids(CSV_TEXT),
    choices=statuses(CSV_TEXT),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    bom=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
)
def test_csv_round_trip_of_any_text(
    tmp_path: Path,
    grid: Grid,
    choices: Statuses,
    delimiter: str,
    newline: str,
    bom: bool,
    quoting: int,
) -> None:
    # csv.writer leaves a lone "\r" unquoted unless it is part of the line end, which makes a
    # file no reader reads back; spreadsheets quote it.
    lone_cr = any("\r" in cell for row in [grid[0], *grid[1]] for cell in row)
    assume(not (quoting == csv.QUOTE_MINIMAL and newline == "\n" and lone_cr))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerows([grid[0], *grid[1]])
    path = tmp_path / "grid.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode())
    check_round_trip(path, grid, choices)
    # And read by the csv module itself, not only by the runner's reader.
    text = path.read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = len(grid[0])
    original = [grid[0], *grid[1]]
    assert [r[:width] for r in records] == original


@SETTINGS
@given(grid=grids(XLSX_TEXT), choices=statuses(XLSX_TEXT))
def test_xlsx_round_trip_of_any_text(tmp_path: Path, grid: Grid, choices: Statuses) -> None:
    book = openpyxl.Workbook()
    for r, row in enumerate([grid[0], *grid[1]], start=1):
        for c, value in enumerate(row, start=1):
            cell = book.active.cell(r, c, value)
            cell.data_type = "s"  # text, even when it starts with "="
    path = tmp_path / "grid.xlsx"
    book.save(path)
    check_round_trip(path, grid, choices)


def test_xlsx_with_formulas_in_the_sheet_goes_to_a_sibling(tmp_path: Path) -> None:
    """openpyxl saves formulas without their results; the next run would read them as empty."""
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name", "id", "double"], ["Ann", 2, "=B2*2"]]})
    before = path.read_bytes()
    report = write_statuses(read_table(path), {2: SENT}, path)
    assert path.read_bytes() == before
    assert report.path == tmp_path / "leads.statuses.xlsx"
    assert report.note == (
        "leads.xlsx has formula results, which openpyxl would drop when saving it; it was left "
        "unchanged and the statuses were written to leads.statuses.xlsx"
    )
    sibling = openpyxl.load_workbook(report.path)["Leads"]
    assert (sibling["C2"].value, sibling["D2"].value) == ("=B2*2", "sent")


XLSX_VALUES = (
    XLSX_TEXT
    | st.none()
    | st.booleans()
    | st.integers(-(2**48), 2**48)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1))
    | st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    )
)


@SETTINGS
@given(
    rows=st.lists(st.lists(XLSX_VALUES, min_size=3, max_size=3), min_size=1, max_size=5),
    choices=statuses(XLSX_TEXT),
)
def test_xlsx_round_trip_of_typed_cells(
    tmp_path: Path, rows: list[list[object]], choices: Statuses
) -> None:
    """Numbers, dates, booleans and empty cells come back as the very same cell values."""
    book = openpyxl.Workbook()
    book.active.append(["name", "id", "when"])
    for row in [*rows, ["x", 1, dt.date(2026, 1, 1)]]:  # at least one data row
        book.active.append(row)
    path = tmp_path / "typed.xlsx"
    book.save(path)
    before = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    table = read_table(path)
    chosen = {r.number: choices[i % len(choices)] for i, r in enumerate(table.rows)}
    write_statuses(table, chosen, path)
    after = [[c.value for c in row] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert [row[:3] for row in after] == before
