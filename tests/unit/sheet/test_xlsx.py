"""XLSX sheets on real files: cells read as Excel shows them, every cell not asked for stays put."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from runner.sheet import STATUS_COLUMNS, SheetRow, Stamp, WriteReport, read_table, write_statuses
from runner.status import Status, StatusCells
from tests.support.excelbook import minimal_book, sheet_xml
from tests.support.sheet import (
    CSV_TEXT,
    FAILED,
    SENT,
    SETTINGS,
    Grid,
    Statuses,
    check_round_trip,
    error,
    grids,
    leftovers,
    make_workbook,
    statuses,
)


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
    # openpyxl writes this tag through lxml, which has no space before "/>".
    rewrite_part(
        path, "xl/worksheets/sheet1.xml", '<dimension ref="A1:B3"/>', '<dimension ref="A1" />'
    )
    assert [r.cells for r in read_table(path).rows] == [("Ann", "1"), ("Bob", "2")]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.parametrize(
    ("rows", "in_order"),
    [
        ('<row r="1">{a1}</row><row r="2">{a2}</row><row r="3">{a3}</row>', True),
        ('<row r="1">{a1}</row><row>{a2}</row><row>{a3}</row>', False),  # not numbered
        ('<row r="1">{a1}</row><row r="3">{a3}</row><row r="2">{a2}</row>', False),
    ],
)
def test_xlsx_rows_are_vouched_in_order_only_where_the_scan_found_them_so(
    tmp_path: Path, rows: str, in_order: bool
) -> None:
    """A write passes over the rows it does not write (sheetstream) only where every row was
    read numbered and in order: in a sheet spelt otherwise, each row is read as it is copied."""
    path = tmp_path / "leads.xlsx"
    cells = {"a1": _inline("A1", "id"), "a2": _inline("A2", "ann"), "a3": _inline("A3", "bob")}
    minimal_book(path, sheet_xml(rows.format(**cells)))
    assert read_table(path).rows_in_order is in_order


def test_xlsx_whose_sheet_is_not_well_formed(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    minimal_book(path, sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></row>'))
    assert error(read_table, path).startswith("leads.xlsx: cannot be read as an .xlsx workbook (")


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
    assert (report.path, report.note, report.stamp) == (path, None, Stamp.of(path))
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
    # Each write says the sheet's new stamp: the next write knows the change was its own.
    table = replace(table, stamp=write_statuses(table, {2: SENT}, path).stamp)
    table = replace(table, stamp=write_statuses(table, {2: SENT, 3: FAILED}, path).stamp)
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
        "leads.xlsx: row 2: cell B2 is part of merged cells; unmerge them so the status can be "
        "written there"
    )


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_xlsx_with_a_chart_is_written_in_place_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    book = make_workbook(path, {"Leads": [["name", "score"], ["Ann", 3], ["Bob", 5]]})
    chart = BarChart()
    chart.add_data(Reference(book["Leads"], min_col=2, min_row=1, max_row=3), titles_from_data=True)
    book["Leads"].add_chart(chart, "D2")
    book.save(path)
    before = parts(path)

    report = write_statuses(read_table(path), {2: SENT}, path)
    assert (report.path, report.note) == (path, None)
    after = parts(path)
    assert list(after) == list(before)  # the same parts, in the same order
    changed = [name for name in before if before[name] != after[name]]
    # the chart and its drawing untouched; the status's colours appended to the styles
    assert changed == ["xl/worksheets/sheet1.xml", "xl/styles.xml"]
    assert read_table(path).rows[0].cells == ("Ann", "3", *SENT.texts())
    assert not (tmp_path / "leads.statuses.xlsx").exists()
    assert leftovers(tmp_path) == []


def test_xlsx_with_an_extension_openpyxl_does_not_know_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"]]})
    extension = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0" /></ext></extLst></worksheet>'
    )
    rewrite_part(path, "xl/worksheets/sheet1.xml", "</worksheet>", extension)
    report = write_statuses(read_table(path), {2: SENT}, path)
    assert report.path == path
    assert extension.encode() in parts(path)["xl/worksheets/sheet1.xml"]


# What openpyxl can put in a file: XML has no place for most control characters, and a bare "\r"
# comes back from XML as "\n". (The writer replaces such characters in status values with "?".)
XLSX_TEXT = CSV_TEXT.map(lambda s: re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]", "", s))


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


def test_xlsx_with_formulas_keeps_them_and_their_results(tmp_path: Path) -> None:
    """Re-saving through openpyxl drops formula results (the next run would read those cells
    as empty); patching keeps them."""
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name", "id", "double"], ["Ann", 2, "=B2*2"]]})
    # As Excel saves it: the formula with its cached result.
    rewrite_part(path, "xl/worksheets/sheet1.xml", "<f>B2*2</f><v></v>", "<f>B2*2</f><v>4</v>")
    report = write_statuses(read_table(path), {2: SENT}, path)
    assert (report.path, report.note) == (path, None)
    sheet = openpyxl.load_workbook(path)["Leads"]
    assert (sheet["C2"].value, sheet["D2"].value) == ("=B2*2", "sent")
    assert read_table(path).rows[0].cells[:4] == ("Ann", "2", "4", "sent")


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


def test_xlsx_header_row_below_a_title_block(tmp_path: Path) -> None:
    """A report export: a title and its date above the header (the campaign's header_row)."""
    path = tmp_path / "leads.xlsx"
    make_workbook(
        path,
        {
            "Report": [
                ["Leads report", None, None, None, "Acme CRM"],
                ["Generated", date(2026, 1, 15)],
                [],
                ["First Name", "recipientProfileId", "note"],
                ["Ann", "ann", "a"],
                ["Bob", "bob", None],
            ]
        },
    )
    table = read_table(path, header_row=4)
    assert (table.headers, table.header_row) == (("First Name", "recipientProfileId", "note"), 4)
    assert table.rows == (SheetRow(5, ("Ann", "ann", "a")), SheetRow(6, ("Bob", "bob", "")))

    write_statuses(table, {6: SENT}, path)
    sheet = openpyxl.load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows(max_col=8)]
    assert values[0] == ["Leads report", None, None, None, "Acme CRM", None, None, None]
    assert values[1][:2] == ["Generated", datetime(2026, 1, 15)]
    assert values[3] == ["First Name", "recipientProfileId", "note", *STATUS_COLUMNS]
    assert values[4] == ["Ann", "ann", "a", None, None, None, None, None]
    again = read_table(path, header_row=4)
    assert again.headers[3:] == STATUS_COLUMNS
    assert again.rows[1].cells == ("Bob", "bob", "", *SENT.texts())
