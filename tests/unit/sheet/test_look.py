"""The runner's columns styled in workbooks of every kind: made by openpyxl, shaped like Excel's
(excelbook), and saved by Excel, Excel for Mac, LibreOffice and gnumeric, one without a styles
part (tests/support/workbooks). Each status cell in its status's colours, the header cells the
runner adds bold, its columns sized where the sheet leaves them unsized; every other cell's value
and style as before; a second write appends nothing; LibreOffice opens the result."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from runner.sheet import read_table, write_statuses
from runner.sheet.look import STATUS_LOOK, SWATCHES
from runner.sheet.statuscols import status_columns
from runner.sheet.xlsxpatch import StatusBlock, patch_statuses
from runner.status import Status, StatusCells
from tests.support.excelbook import leads_book, read_parts
from tests.support.xlsxcheck import libreoffice_csvs, load, openpyxl_cells

WORKBOOKS = Path(__file__).resolve().parents[2] / "support" / "workbooks"
CYCLE = [s for s in Status if s is not Status.IN_FLIGHT]


def openpyxl_book(path: Path) -> None:
    """A workbook openpyxl made, its cells styled the ways people style them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["name", "joined", "score", "notes"])
    for n in range(9):
        sheet.append([f"Person {n}", 45292 + n, n * 1.5, "call back" if n % 2 else None])
    for cell in sheet[1]:
        cell.font = Font(bold=True, italic=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", fgColor="FF305496")
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    thin = Side(style="thin")
    sheet["C3"].border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["C4"].font = Font(name="Arial", size=9, color="FF00B050")
    sheet.column_dimensions["A"].width = 24
    other = book.create_sheet("Other")
    other["A1"] = "keep me"
    other["A1"].fill = PatternFill("solid", fgColor="FFFF0000")
    book.save(path)


def copied(name: str) -> Callable[[Path], None]:
    return lambda path: shutil.copy(WORKBOOKS / name, path)


BOOKS: dict[str, tuple[Callable[[Path], None], str | None]] = {
    "openpyxl": (openpyxl_book, None),
    "excel-shaped": (leads_book, "Leads"),
    **{name: (copied(name), None) for name in sorted(p.name for p in WORKBOOKS.glob("*.xlsx"))},
}


def widths(path: Path, sheet: str) -> dict[int, float]:
    """The width each column (1-based) has a `<col>` for."""
    found = {}
    for dim in load(path)[sheet].column_dimensions.values():
        if dim.customWidth or dim.width:
            found.update(dict.fromkeys(range(dim.min, dim.max + 1), dim.width))
    return found


def cell_xfs(path: Path) -> int:
    styles = read_parts(path).get("xl/styles.xml")
    return len(etree.fromstring(styles).find("{*}cellXfs")) if styles else 0


def cycle(table: Any, shift: int = 0, detail: str = "") -> dict[int, StatusCells]:
    return {
        row.number: StatusCells(CYCLE[(i + shift) % len(CYCLE)], detail, "", "", f"p-{i}")
        for i, row in enumerate(table.rows)
    }


@pytest.mark.parametrize("name", list(BOOKS))
def test_the_runners_columns_are_styled_and_nothing_else_changes(tmp_path: Path, name: str) -> None:
    make, sheet_name = BOOKS[name]
    path = tmp_path / "book.xlsx"
    make(path)
    table = read_table(path, sheet_name)
    title = table.sheet_name
    assert title is not None
    cells_before, widths_before = openpyxl_cells(path), widths(path, title)
    columns = status_columns(table.headers)
    statuses = cycle(table)

    write_statuses(table, statuses, path)

    sheet = load(path)[title]
    letters = [get_column_letter(c + 1) for c in columns]
    for number, cells in statuses.items():
        cell = sheet[f"{letters[0]}{number}"]
        swatch = SWATCHES[str(cells.status)]
        assert cell.value == cells.status
        assert (cell.fill.fill_type, cell.fill.fgColor.rgb) == ("solid", swatch.fill)
        assert cell.font.color.rgb == swatch.font
        detail = sheet[f"{letters[1]}{number}"]
        assert detail.fill.fgColor.rgb != swatch.fill  # only the status cell is coloured
    for col, letter in zip(columns, letters, strict=True):
        if col >= len(table.headers):  # a header cell the runner added
            assert sheet[f"{letter}{table.header_row}"].font.b
    widths_after = widths(path, title)
    for col, width in zip(columns, STATUS_LOOK.widths, strict=True):
        assert widths_after[col + 1] == widths_before.get(col + 1, width)
    assert {c: widths_after[c] for c in widths_before} == widths_before  # the user's kept

    cells_after = openpyxl_cells(path)
    ours = {(title, f"{letter}{row}") for letter in letters for row in range(1, sheet.max_row + 1)}
    assert {k: cells_after[k] for k in cells_before if k not in ours} == {
        k: v for k, v in cells_before.items() if k not in ours
    }

    # A checkpoint later in the run: other details, the same statuses; nothing appended.
    styles = read_parts(path)["xl/styles.xml"]
    again = read_table(path, sheet_name)
    write_statuses(again, cycle(again, detail="checked again"), path)
    assert read_parts(path)["xl/styles.xml"] == styles
    assert load(path)[title][f"{letters[1]}{table.rows[0].number}"].value == "checked again"


def test_every_status_can_change_to_every_other_without_a_new_format(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    table = read_table(path, "Leads")
    write_statuses(table, cycle(table), path)
    count = cell_xfs(path)
    for shift in range(1, len(CYCLE)):
        table = read_table(path, "Leads")
        write_statuses(table, cycle(table, shift), path)
        assert cell_xfs(path) == count
    sheet = load(path)["Leads"]
    for row in table.rows:
        cell = sheet[f"H{row.number}"]
        assert cell.fill.fgColor.rgb == SWATCHES[str(cell.value)].fill


def test_the_status_colour_is_laid_over_the_columns_own_format(tmp_path: Path) -> None:
    """A status column the user formatted (here, as a `<col style>` with a border and a font)
    keeps that format under the colours."""
    path = tmp_path / "leads.xlsx"
    openpyxl_book(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Leads"]
    sheet["E1"] = "status"
    thin = Side(style="thin")
    for row in range(2, 11):
        sheet[f"E{row}"].font = Font(name="Arial", size=9)
        sheet[f"E{row}"].border = Border(bottom=thin)
    book.save(path)
    table = read_table(path)
    write_statuses(table, cycle(table), path)
    sheet = load(path)["Leads"]
    for row in range(2, 11):
        cell = sheet[f"E{row}"]
        assert (cell.font.name, cell.font.sz, cell.border.bottom.style) == ("Arial", 9, "thin")
        assert cell.fill.fgColor.rgb == SWATCHES[str(cell.value)].fill
    assert not sheet["E1"].font.b  # the user's own header cell is theirs


def test_a_workbook_without_styles_gets_a_styles_part(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    shutil.copy(WORKBOOKS / "inlineStr_cdata.xlsx", path)
    assert "xl/styles.xml" not in read_parts(path)
    table = read_table(path)
    write_statuses(table, {2: StatusCells(Status.SENT)}, path)
    parts = read_parts(path)
    assert b'PartName="/xl/styles.xml"' in parts["[Content_Types].xml"]
    assert b'Target="styles.xml"' in parts["xl/_rels/workbook.xml.rels"]
    sheet = load(path)["Sheet1"]
    assert sheet["C2"].fill.fgColor.rgb == SWATCHES["sent"].fill
    assert sheet["C1"].font.b
    assert (sheet["A2"].value, sheet["A2"].font.b, sheet["A2"].fill.fill_type) == (
        "12345",
        False,
        None,
    )


def test_a_block_without_a_look_keeps_the_writers_styles(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    styles = read_parts(path)["xl/styles.xml"]
    block = StatusBlock(1, (7, 8), ("status", "status_detail"), frozenset({0, 1}))
    patch_statuses(path, path, "Leads", block, {2: ("sent", "")})
    assert read_parts(path)["xl/styles.xml"] == styles
    looked = replace(block, look=replace(STATUS_LOOK, widths=(11, 40)))
    patch_statuses(path, path, "Leads", looked, {2: ("sent", "")})
    assert load(path)["Leads"]["H2"].fill.fgColor.rgb == SWATCHES["sent"].fill


def test_libreoffice_opens_every_styled_workbook(tmp_path: Path) -> None:
    written = {}
    for name, (make, sheet_name) in BOOKS.items():
        path = tmp_path / f"{name.removesuffix('.xlsx')}.xlsx"
        make(path)
        table = read_table(path, sheet_name)
        statuses = cycle(table)
        write_statuses(table, statuses, path)
        written[path] = (table, statuses)
    converted = libreoffice_csvs(list(written), tmp_path / "csv")
    for path, (table, statuses) in written.items():
        assert table.sheet_name is not None
        rows = converted[path.stem][table.sheet_name]
        column = status_columns(table.headers)[0]
        for number, cells in statuses.items():
            assert rows[number - 1][column] == cells.status, path.name
