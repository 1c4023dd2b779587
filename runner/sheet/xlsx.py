"""A sheet in an .xlsx workbook, read and written through openpyxl.

Reading gives each cell as the text Excel shows (see numfmt). Writing re-saves the workbook with
openpyxl, which keeps formulas, styles and other sheets but drops charts, images, macros and
more; when the workbook holds such parts it is left alone and the statuses go to
`<stem>.statuses.xlsx` beside it, with a note saying why.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Mapping
from copy import copy
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import SheetError
from ..status import StatusCells
from .atomic import atomic_write, same_file
from .grid import Table, WriteReport, check_file, make_table, unreadable_file
from .numfmt import display_text
from .statuscols import STATUS_COLUMNS, check_unchanged, neutralised, status_columns

# Characters XML 1.0 cannot hold; openpyxl would refuse them or write a file Excel cannot open.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XLSX_CELL_LIMIT = 32767  # Excel "repairs" a workbook with a longer cell, cutting it
# What openpyxl raises on a file that is not a sound workbook (it has no error type of its own).
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    ParseError,
)
# Parts of an .xlsx package that openpyxl does not read, or reads and writes back incompletely.
_LOSSY_PARTS = (
    ("xl/charts/", "charts"),
    ("xl/chartsheets/", "chart sheets"),
    ("xl/drawings/", "drawings"),
    ("xl/media/", "images"),
    ("xl/vbaproject.bin", "VBA macros"),
    ("xl/pivottables/", "pivot tables"),
    ("xl/pivotcache/", "pivot tables"),
    ("xl/slicers/", "slicers"),
    ("xl/slicercaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelinecaches/", "timelines"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/activex/", "ActiveX controls"),
    ("xl/ctrlprops/", "form controls"),
    ("xl/threadedcomments/", "threaded comments"),
    ("xl/externallinks/", "external links"),
    ("xl/metadata.xml", "dynamic array formulas"),
    ("xl/richdata/", "pictures in cells"),
    ("xl/model/", "a data model"),
    ("xl/querytables/", "queries"),
    ("xl/connections.xml", "data connections"),
    ("customxml/", "custom document properties"),
)


def read_xlsx(path: Path, sheet_name: str | None) -> Table:
    """Read the worksheet `sheet_name`, or the first one a person sees, as display text."""
    check_file(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it will not keep; that matters for writing, not reading.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = _pick_sheet(path.name, book, sheet_name)
                # Some writers store a wrong size; without this openpyxl stops reading there.
                sheet.reset_dimensions()
                raw = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
            finally:
                book.close()
    except OSError as err:
        raise unreadable_file(path, err) from err
    except _XLSX_ERRORS as err:
        raise _unreadable(path.name, err) from err
    lines = [[display_text(value, fmt) for value, fmt in row] for row in raw]
    return make_table(path, "xlsx", sheet.title, lines)


def write_xlsx(
    table: Table,
    statuses: Mapping[int, StatusCells],
    target: Path,
    check: Callable[[], None] = lambda: None,
) -> WriteReport:
    """Write the statuses into the workbook as it is on disk now; into its sibling instead
    when saving it with openpyxl would lose parts of it (see `_losses`)."""
    source = table.path
    check_file(source)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Not data_only, so formulas survive; rich_text keeps formatting inside cells.
            book = openpyxl.load_workbook(source, rich_text=True)
        with zipfile.ZipFile(source) as package:
            parts = package.namelist()
    except OSError as err:
        raise unreadable_file(source, err) from err
    except _XLSX_ERRORS as err:
        raise _unreadable(source.name, err) from err
    losses = _losses(parts, [str(w.message) for w in caught])
    sheet = _pick_sheet(source.name, book, table.sheet_name)
    if any(
        cell.data_type == "f" for row in sheet.iter_rows(max_col=len(table.headers)) for cell in row
    ):
        # openpyxl saves formulas without their computed values; the next run would then read
        # those cells as empty (a template using one would fail every pending row).
        losses.append("formula results")

    def cells_now(number: int) -> list[str | None]:
        return [_cell_text(sheet.cell(number, i + 1)) for i in range(len(table.headers))]

    header_row = [_cell_text(cell) for cell in sheet[1]]
    while header_row and header_row[-1] == "":
        header_row.pop()
    check_unchanged(table, header_row, cells_now)

    headers_now = [text or "" for text in header_row]
    columns = status_columns(headers_now)
    modified = False
    for column, header in zip(columns, STATUS_COLUMNS, strict=True):
        if column >= len(headers_now):
            cell = _status_cell(source.name, sheet, 1, column)
            cell.value = header
            if headers_now:
                last = sheet.cell(1, len(headers_now))
                cell.font, cell.fill = copy(last.font), copy(last.fill)
                cell.alignment, cell.border = copy(last.alignment), copy(last.border)
            modified = True
    for number, values in sorted(statuses.items()):
        for column, value in zip(columns, values.texts(), strict=True):
            modified |= _set_text(_status_cell(source.name, sheet, number, column), value)

    note = None
    if same_file(target, source):
        if losses:
            target = statuses_sibling(source)
            note = (
                f"{source.name} has {_join(losses)}, which openpyxl would drop when saving it; "
                f"it was left unchanged and the statuses were written to {target.name}"
            )
        elif not modified:
            return WriteReport(target, None)
    elif losses:
        note = (
            f"{target.name} was written without the {_join(losses)} of {source.name} "
            "(openpyxl cannot keep them)"
        )
    atomic_write(target, source, book.save, check)
    return WriteReport(target, note)


def statuses_sibling(path: Path) -> Path:
    """Where statuses go when writing the workbook itself would lose parts of it."""
    return path.with_name(f"{path.stem}.statuses.xlsx")


# Reading ------------------------------------------------------------------------------------


def _unreadable(name: str, err: Exception) -> SheetError:
    return SheetError(
        f"{name}: cannot be read as an .xlsx workbook ({type(err).__name__}: {err}); "
        "it may be damaged, or another kind of file renamed to .xlsx"
    )


def _pick_sheet(name: str, book: Workbook, sheet_name: str | None) -> Worksheet:
    sheets = book.worksheets
    if not sheets:
        raise SheetError(f"{name}: has no worksheets")
    if sheet_name is None:
        # The first sheet a person sees: a hidden one (old data, lookups) is not the campaign.
        return next((s for s in sheets if s.sheet_state == "visible"), sheets[0])
    # Excel treats sheet names case-insensitively, so a case-only match is unambiguous.
    for match in (lambda t: t == sheet_name, lambda t: t.casefold() == sheet_name.casefold()):
        for sheet in sheets:
            if match(sheet.title):
                return sheet
    titles = ", ".join(f'"{sheet.title}"' for sheet in sheets)
    raise SheetError(f'{name}: no sheet named "{sheet_name}"; its sheets are {titles}')


# Writing ------------------------------------------------------------------------------------


def _cell_text(cell: Cell) -> str | None:
    """What a cell shows, or None for a formula: a full load has no cached results."""
    if cell.data_type == "f":
        return None
    return display_text(cell.value, cell.number_format)


def _status_cell(name: str, sheet: Worksheet, number: int, column: int) -> Cell:
    cell = sheet.cell(number, column + 1)
    if isinstance(cell, MergedCell):
        raise SheetError(
            f"{name}: row {number}: cell {cell.coordinate} is part of merged cells; "
            "unmerge them so the status can be written there"
        )
    return cell


def _set_text(cell: Cell, value: str) -> bool:
    """Set a status cell as text (never a formula); True if that changed it."""
    text = _NOT_XML.sub("?", neutralised(value))[:_XLSX_CELL_LIMIT] or None
    if cell.value == text and (text is None or cell.data_type == "s"):
        return False
    cell.value = text
    if text is not None:
        # openpyxl makes any str starting with "=" a formula; neutralising makes that impossible,
        # and the explicit type keeps it so.
        cell.data_type = "s"
    return True


def _losses(parts: list[str], warned: list[str]) -> list[str]:
    """What saving with openpyxl would drop: package parts it cannot keep, and what it warned of."""
    # Legacy VML drawings hold cell comments, which openpyxl keeps.
    names = [part.lower() for part in parts if ".vml" not in part.lower()]
    found: list[str] = []
    for prefix, label in _LOSSY_PARTS:
        if label not in found and any(name.startswith(prefix) for name in names):
            found.append(label)
    found.extend(f'what openpyxl warned of ("{message}")' for message in dict.fromkeys(warned))
    return found


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
