"""The recipient sheet: read every cell as the text the user sees, write statuses back.

A sheet is a .csv or .xlsx file whose row 1 holds the column names. Reading gives a `Table` of text
cells. Writing sets the four status cells of the rows given and nothing else:

- it starts from the sheet as it is on disk at that moment, and refuses (SheetError) if any cell
  outside the status columns differs from what was read, so an edit made during a run is never
  overwritten and a status never lands on a row that has moved;
- a CSV keeps its encoding, byte order mark, delimiter and line ends, and its blank lines;
- an .xlsx is re-saved by openpyxl, which keeps formulas, styles and other sheets but drops charts,
  images, macros and more; when the sheet holds such parts it is left alone and the statuses go to
  `<stem>.statuses.xlsx` next to it, and the report says why.

This module is the surface the rest of the runner uses; it hands each file to its format:
`csvfile` and `xlsx` read and write, `grid` holds the checks and types both share, `statuscols`
the status columns and their guards, `atomic` the one-step replace, `numfmt` the text of Excel
number formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import SheetError
from ..status import StatusCells
from .atomic import tidy
from .csvfile import read_csv, write_csv
from .grid import SheetRow, Table, WriteReport, fold_header
from .statuscols import STATUS_COLUMNS, STATUS_KEYS, check_status_columns, existing_status_columns
from .xlsx import read_xlsx, statuses_sibling, write_xlsx

__all__ = [
    "STATUS_COLUMNS",
    "STATUS_KEYS",
    "SheetRow",
    "Table",
    "WriteReport",
    "check_status_columns",
    "existing_status_columns",
    "fold_header",
    "read_table",
    "statuses_sibling",
    "write_statuses",
]


def read_table(path: Path, sheet_name: str | None = None) -> Table:
    """Read a .csv or .xlsx sheet (for .xlsx: `sheet_name`, or the first worksheet)."""
    path = Path(path)
    if _kind(path) == "csv":
        if sheet_name is not None:
            raise SheetError(
                f'{path.name}: a CSV file has no sheets, so sheet "{sheet_name}" '
                "cannot be read; leave the sheet setting out"
            )
        return read_csv(path)
    return read_xlsx(path, sheet_name)


def write_statuses(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> WriteReport:
    """Write (status, status_detail, sent_at, recipient_urn) for the given rows into `target`.

    `target` is the sheet itself or another file of the same kind; either way the result is the
    sheet as it is on disk now with these statuses set. Rows not in `statuses` keep their status
    cells as they are.
    """
    target = Path(target)
    if _kind(target) != table.kind:
        raise SheetError(
            f"{target.name}: statuses of a .{table.kind} sheet must be written to a "
            f".{table.kind} file"
        )
    numbers = {row.number for row in table.rows}
    for number in statuses:
        if number not in numbers:
            raise ValueError(f"no data row {number} to write statuses into")
    tidy(target)
    if table.kind == "csv":
        return write_csv(table, statuses, target)
    return write_xlsx(table, statuses, target)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    if suffix == ".xls":
        raise SheetError(
            f"{path.name}: .xls files cannot be read; open it in Excel and save it "
            "as .xlsx (Excel Workbook)"
        )
    raise SheetError(f"{path.name}: unsupported file type; use a .csv or .xlsx file")
