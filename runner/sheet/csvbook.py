"""A CSV sheet and its statuses as a new .xlsx workbook, so that CSV users see them coloured too.

The workbook is made afresh on every write from the CSV as read: each cell as text (so "007",
"1e5" and "=1+1" stay what the CSV says), each row on the row it has in the CSV (a message's
"row 17" is row 17 in both), the status columns where the CSV has them or right of its header.
openpyxl writes the CSV's cells and sizes their columns to fit; the status columns are then
written by the workbook writer, in the look it gives them in any workbook (see xlsxpatch,
look). What is changed in the workbook by hand is replaced on the next write.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from ..status import StatusCells
from .grid import Table, WriteReport
from .look import look_of
from .statuscols import cell_texts, kept, neutralised, runner_columns, status_columns
from .xlsxpatch import StatusBlock, patch_statuses
from .xmlscan import cell_text

_NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name
_DEFAULT_WIDTH = 8.43  # characters: Excel's column width, which fits short text already
_WIDEST = 60  # characters: a column of long notes or URLs should not push the rest off screen


def write_book(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> WriteReport:
    """Write CSV sheet `table` as workbook `target`, the status cells of the rows in `statuses`
    set to them and the others' kept as the CSV has them."""
    if table.kind != "csv":
        raise ValueError("write_book makes a workbook of a CSV sheet")
    wanted = runner_columns(table)
    columns = status_columns(table.headers, wanted)
    values = {}
    for row in table.rows:
        if row.number in statuses:
            texts = cell_texts(statuses[row.number], table, book=True)
        else:
            texts = (None,) * len(columns)  # as the CSV has them
        values[row.number] = tuple(map(neutralised, kept(texts, columns, row.cells)))
    names = tuple(
        table.headers[col] if col < len(table.headers) else name
        for col, name in zip(columns, wanted, strict=True)
    )
    every = frozenset(range(len(columns)))  # each header cell of them written, in their look
    block = StatusBlock(table.header_row, columns, names, every, look=look_of(wanted))
    title = _NOT_IN_TITLES.sub("_", table.path.stem)[:31].strip("'") or "Sheet1"
    with tempfile.TemporaryDirectory() as folder:
        cells = Path(folder) / "cells.xlsx"
        _write_cells(table, set(columns), title, cells)
        result = patch_statuses(cells, target, title, block, values)
    return WriteReport(target, "; ".join(result.notes) or None)


def _write_cells(table: Table, skip: set[int], title: str, path: Path) -> None:
    """The CSV's cells but for those in columns `skip`, as text, in workbook `path`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    lines = {table.header_row: table.headers, **{row.number: row.cells for row in table.rows}}
    widths: dict[int, int] = {}
    for line in lines.values():
        for col, text in enumerate(line):
            if text and col not in skip:
                longest = max(len(part) for part in text.splitlines() or [""])
                widths[col] = max(widths.get(col, 0), longest)
    for col, width in widths.items():
        if width + 2 > _DEFAULT_WIDTH:
            sheet.column_dimensions[get_column_letter(col + 1)].width = min(width + 2, _WIDEST)
    for number in range(1, max(lines) + 1):
        line = lines.get(number, ())
        sheet.append([None if col in skip else _text(sheet, text) for col, text in enumerate(line)])
    book.save(path)


def _text(sheet: object, text: str) -> WriteOnlyCell | None:
    if not text:
        return None
    cell = WriteOnlyCell(sheet, cell_text(text))
    cell.data_type = "s"  # text, even where it starts with "=": a CSV holds no formulas
    return cell
