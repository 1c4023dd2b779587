"""A sheet in an .xlsx workbook: read as the text Excel shows, written by patching the package.

Reading takes each cell's value from python-calamine and, where calamine's value alone cannot
give the text openpyxl showed (a number's format, an error, a string calamine trims), reads the
cell from the sheet's XML as openpyxl does (see xlsxcells); what the sheet says besides its
values (hidden rows, links) comes from the same streaming pass (see sheetscan, xlsxfacts).
openpyxl reads a sheet calamine cannot tell (see xlsxcells for when), and damaged files.
Writing patches the workbook's package (see xlsxpatch): every part but the worksheet (and,
where the status columns join them, its Tables and filter, and the styles the status cells'
colours are appended to: see look) is kept byte for byte, so charts, pictures, pivots, form
controls, macros and formula results all survive.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError

from ..errors import LeadsElsewhere, SheetError
from ..status import StatusCells
from .atomic import same_file
from .cellformats import Unsure
from .grid import Table, WriteReport, check_file, make_table, unreadable_file
from .look import look_of
from .numfmt import display_text
from .package import ZIP_ERRORS, Package
from .statuscols import cell_texts, kept, runner_columns, status_columns
from .xlsxcells import read_cells
from .xlsxfacts import SheetFacts, read_facts
from .xlsxpatch import StatusBlock, patch_statuses

# What openpyxl raises on a file that is not a sound workbook (it has no error type of its own).
_XLSX_ERRORS = (
    *ZIP_ERRORS,  # a damaged entry (a broken deflate stream, a bad CRC, a cut file)
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    ParseError,
)


def read_xlsx(path: Path, sheet_name: str | None, header_row: int = 1) -> Table:
    """Read the worksheet `sheet_name`, or the first one a person sees, as display text (its
    column names on `header_row`), with the rows it hides and the links behind its cells."""
    check_file(path)
    try:
        title, lines, facts = _read(path, sheet_name)
        in_order = True  # the scan refuses rows out of order or without their numbers
    except (Unsure, SheetError, CalamineError, OSError):
        # calamine cannot tell what openpyxl would show (see xlsxcells), or the file is damaged:
        # openpyxl reads it as it always has, and says what is wrong with it as it always has.
        title, lines = read_cells_openpyxl(path, sheet_name)
        facts = read_facts(path, title)
        in_order = False
    table = make_table(path, "xlsx", title, lines, header_row)
    hidden = {row: "filter" for row in facts.filtered_rows}
    hidden.update({row: "hand" for row in facts.hidden_rows})
    # A Table's totals row sums its columns: it is nobody to message, nor a row to write into.
    totals = {
        number
        for part in facts.tables
        for number in range(part.ref.row2 - part.totals_rows + 1, part.ref.row2 + 1)
    }
    return Table(
        table.path,
        table.kind,
        table.sheet_name,
        table.headers,
        tuple(row for row in table.rows if row.number not in totals),
        header_row,
        hidden=hidden,
        links=dict(facts.links),
        unresolved_links=dict(facts.unresolved_links),
        rows_in_order=in_order,
    )


def _read(path: Path, sheet_name: str | None) -> tuple[str, list[list[str]], SheetFacts]:
    with Package(path) as package:
        sheet = package.sheet(sheet_name)
        lines, facts = read_cells(package, sheet)
    return sheet.title, lines, facts


def read_cells_openpyxl(path: Path, sheet_name: str | None) -> tuple[str, list[list[str]]]:
    """The sheet's title and its cells as text, read by openpyxl (`lines[0]` is row 1): the
    reader for what calamine cannot tell, and the measure the calamine reader is held to."""
    with _openpyxl_book(path, data_only=True) as book:
        sheet = _pick_sheet(path.name, book, sheet_name)
        # Some writers store a wrong size; without this openpyxl stops reading there.
        sheet.reset_dimensions()
        raw = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
    return sheet.title, [[display_text(value, fmt) for value, fmt in row] for row in raw]


def write_xlsx(
    table: Table,
    statuses: Mapping[int, StatusCells],
    target: Path,
    check: Callable[[], None] = lambda: None,
) -> WriteReport:
    """Write the statuses into the workbook as `table` read it (the caller has made sure it did
    not change since), into the workbook itself or into `target`."""
    check_file(table.path)
    block, rows = _block(table), {row.number: row.cells for row in table.rows}
    unchanged = table.statuses_as_read and same_file(target, table.path) and not block.new
    if unchanged and _as_they_are(table, rows, block, statuses):
        return WriteReport(target, None)  # nothing would change: the file is left as it is
    values = _texts(table, rows, block, statuses)
    result = patch_statuses(table.path, target, table.sheet_name, block, values, check=check)
    return WriteReport(target, "; ".join(result.notes) or None)


def try_xlsx(table: Table, statuses: Mapping[int, StatusCells]) -> None:
    """Raise the SheetError `write_xlsx` would, writing nothing (see patch_statuses)."""
    check_file(table.path)
    block = _block(table)
    # Which cells a write sets is what can stop it (formulas, merged cells, pivot tables), never
    # their text: each row's is left blank rather than worked out (a third of the trial's time).
    blank = ("",) * len(block.columns)
    patch_statuses(table.path, None, table.sheet_name, block, dict.fromkeys(statuses, blank))


def _block(table: Table) -> StatusBlock:
    """Where the runner's columns go in the workbook, and how they look."""
    names = runner_columns(table)
    columns = status_columns(table.headers, names)
    new = frozenset(i for i, column in enumerate(columns) if column >= len(table.headers))
    look = look_of(names)
    return StatusBlock(
        table.header_row, columns, names, new, table.anchor, look, table.rows_in_order
    )


def _texts(
    table: Table,
    rows: Mapping[int, tuple[str, ...]],
    block: StatusBlock,
    statuses: Mapping[int, StatusCells],
) -> dict[int, tuple[str, ...]]:
    """The text of each row's runner columns (a cell to keep as it is: its text as read)."""
    columns = block.columns
    return {
        row: tuple(kept(cell_texts(cells, table, book=True), columns, rows[row]))
        for row, cells in statuses.items()
    }


def statuses_sibling(path: Path) -> Path:
    """Where earlier versions wrote statuses they could not write into the workbook itself;
    still read as a witness of what was sent."""
    return path.with_name(f"{path.stem}.statuses.xlsx")


def _as_they_are(
    table: Table,
    rows: Mapping[int, tuple[str, ...]],
    block: StatusBlock,
    statuses: Mapping[int, StatusCells],
) -> bool:
    """Whether every status cell already holds what would be written."""
    columns = block.columns
    for row, cells in statuses.items():
        if cells.shown_in == row:
            continue  # the row's own cells as read, which read as they would write
        texts = kept(cell_texts(cells, table, book=True), columns, rows[row])
        if any(rows[row][c] != text for c, text in zip(columns, texts, strict=True)):
            return False
    return True


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
    raise LeadsElsewhere(f'{name}: no sheet named "{sheet_name}"; its sheets are {titles}')


def worksheet_titles(path: Path) -> tuple[str, ...]:
    """The workbook's worksheets, those a person sees first, each group in the workbook's order."""
    with _openpyxl_book(path) as book:
        sheets = sorted(book.worksheets, key=lambda s: s.sheet_state != "visible")
        return tuple(sheet.title for sheet in sheets)


@contextmanager
def _openpyxl_book(path: Path, *, data_only: bool = False) -> Iterator[Workbook]:
    """The workbook opened read-only by openpyxl, closed after; what goes wrong inside, in
    openpyxl or in the reading, is a SheetError that says the file cannot be read."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not model; that matters to no reader here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
            try:
                yield book
            finally:
                book.close()
    except OSError as err:
        raise unreadable_file(path, err) from err
    except _XLSX_ERRORS as err:
        raise _unreadable(path.name, err) from err
