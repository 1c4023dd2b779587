"""The recipient sheet: read every cell as the text the user sees, write statuses back.

A sheet is a .csv or .xlsx file whose row 1 (or the campaign's `header_row`, below a title block)
holds the column names. Reading gives a `Table` of text cells. Writing sets the status cells
of the rows given (and the text that went out, in `message_sent`, where the campaign asks for
it) and nothing else:

- it starts from the sheet as it is on disk at that moment, and refuses (SheetError) if any cell
  outside the status columns differs from what was read, so an edit made during a run is never
  overwritten and a status never lands on a row that has moved;
- a CSV keeps its encoding, byte order mark, delimiter and line ends, and its blank lines;
- an .xlsx is patched, not re-saved: every part but the sheet (and the Tables, filter and styles
  the status columns need) is kept as it is, and the runner's columns are styled (each status in
  its colour, a bold header);
- a CSV sheet can also be written as a new .xlsx workbook, the same columns in the same colours.

This module is the surface the rest of the runner uses; it hands each file to its format:
`csvfile` and `xlsx` read and write, `csvbook` makes a workbook of a CSV sheet, `grid` holds
the checks and types both share, `statuscols` the status columns and their guards, `atomic` the
one-step replace, `numfmt` the text of Excel number formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..errors import SheetChanged, SheetError, SheetInUse
from ..status import StatusCells
from .atomic import open_elsewhere, same_file, tidy
from .csvbook import write_book
from .csvfile import read_with_layout
from .csvwrite import write_csv
from .grid import SheetRow, Stamp, Table, WriteReport, fold_header
from .statuscols import (
    MESSAGE_COLUMN,
    RUNNER_KEYS,
    STATUS_COLUMNS,
    STATUS_KEYS,
    check_status_columns,
    existing_status_columns,
    runner_columns,
)
from .xlsx import read_xlsx, statuses_sibling, try_xlsx, worksheet_titles, write_xlsx

__all__ = [
    "MESSAGE_COLUMN",
    "RUNNER_KEYS",
    "STATUS_COLUMNS",
    "STATUS_KEYS",
    "SheetRow",
    "Stamp",
    "Table",
    "WriteReport",
    "check_status_columns",
    "check_writable",
    "existing_status_columns",
    "fold_header",
    "read_table",
    "runner_columns",
    "statuses_sibling",
    "worksheet_titles",
    "write_csv_as_xlsx",
    "write_statuses",
]


def read_table(path: Path, sheet_name: str | None = None, header_row: int = 1) -> Table:
    """Read a .csv or .xlsx sheet (for .xlsx: `sheet_name`, or the first worksheet) whose
    column names are on `header_row`.

    SheetChanged if the file changed while it was read (a save at that very moment)."""
    path = Path(path)
    kind = _kind(path)
    if kind == "csv" and sheet_name is not None:
        raise SheetError(
            f'{path.name}: a CSV file has no sheets, so sheet "{sheet_name}" '
            "cannot be read; leave the sheet setting out"
        )
    before = Stamp.of(path)
    if kind == "csv":
        table, layout = read_with_layout(path, header_row)
    else:
        table, layout = read_xlsx(path, sheet_name, header_row), None
    if Stamp.of(path) != before:
        raise SheetChanged(f"{path.name}: changed while it was being read; read it again")
    read_as = (before, layout) if before is not None and layout is not None else None
    return replace(table, stamp=before, read_as=read_as)


def check_writable(table: Table, statuses: Mapping[int, StatusCells]) -> None:
    """Raise the SheetError a real write would (a merged status cell, a pivot table where the
    statuses go, a damaged part), writing nothing: the dry run's promise that the run can
    write the sheet."""
    if table.kind != "xlsx":
        return  # every CSV cell takes text
    if table.stamp is not None and Stamp.of(table.path) != table.stamp:
        raise SheetChanged(f"{table.path.name}: changed since it was read; read it again")
    try_xlsx(table, statuses)


def write_statuses(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> WriteReport:
    """Write the status cells (and, where `table.message_column`, message_sent) of the given
    rows into `target`.

    `target` is the sheet itself or another file of the same kind; either way the result is the
    sheet as it is on disk now with these statuses set. Rows not in `statuses` keep their status
    cells as they are.
    """
    target = Path(target)
    if table.kind == "csv" and target.suffix.lower() == ".xlsx":  # a CSV's statuses, coloured
        _check_target(table, statuses, target)
        if table.stamp is not None and Stamp.of(table.path) != table.stamp:
            raise SheetChanged(
                f"{table.path.name}: changed since it was read; statuses were not written, so "
                "nothing changed in the meantime is overwritten"
            )
        return write_csv_as_xlsx(table, statuses, target)
    if _kind(target) != table.kind:
        raise SheetError(
            f"{target.name}: statuses of a .{table.kind} sheet must be written to a "
            f".{table.kind} file"
        )
    _check_target(table, statuses, target)

    def unchanged() -> None:
        if table.stamp is not None and Stamp.of(table.path) != table.stamp:
            raise SheetChanged(
                f"{table.path.name}: changed since it was read; statuses were not written, so "
                "nothing changed in the meantime is overwritten"
            )

    unchanged()
    tidy(target)
    if table.kind == "csv":
        report = write_csv(table, statuses, target, unchanged)
    else:
        report = write_xlsx(table, statuses, target, unchanged)
    if same_file(report.path, table.path):
        stamp = Stamp.of(table.path)
        as_written = report.written is not None and report.written.is_at(stamp)
        report = replace(report, stamp=stamp, layout=report.layout if as_written else None)
    return report


def write_csv_as_xlsx(
    table: Table, statuses: Mapping[int, StatusCells], target: Path
) -> WriteReport:
    """Write CSV sheet `table` with these statuses as the new .xlsx workbook `target`: its
    cells as text on the rows they have in the CSV, the status columns in the runner's look.

    Made afresh on every write, as the CSV is now (`table` as read); rows not in `statuses` keep
    the status cells the CSV has. SheetInUse while a spreadsheet program has `target` open.
    """
    target = Path(target)
    if table.kind != "csv" or target.suffix.lower() != ".xlsx":
        raise SheetError(f"{target.name}: only a .csv sheet is written as an .xlsx workbook")
    _check_target(table, statuses, target)
    tidy(target)
    return write_book(table, statuses, target)


def _check_target(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> None:
    numbers = {row.number for row in table.rows}
    for number in statuses:
        if number not in numbers:
            raise ValueError(f"no data row {number} to write statuses into")
    program = open_elsewhere(target)
    if program:
        raise SheetInUse(
            f"{target.name} is open in {program}; it was not replaced, or {program} would "
            "overwrite the statuses when it saves (close it and they are written)"
        )


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    if suffix == ".xlsm":  # a workbook with macros: read and written as any other, macros kept
        return "xlsx"
    if suffix == ".xls":
        raise SheetError(
            f"{path.name}: .xls files cannot be read; open it in Excel and save it "
            "as .xlsx (Excel Workbook)"
        )
    raise SheetError(f"{path.name}: unsupported file type; use a .csv, .xlsx or .xlsm file")
