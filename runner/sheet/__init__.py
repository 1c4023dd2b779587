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
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import SheetError
from ..status import StatusCells
from .atomic import atomic_write, same_file, tidy
from .grid import (
    SheetRow,
    Table,
    WriteReport,
    check_file,
    fold_header,
    make_table,
    unreadable_file,
)
from .numfmt import display_text
from .statuscols import (
    STATUS_COLUMNS,
    check_status_columns,
    check_unchanged,
    neutralised,
    status_columns,
)

__all__ = [
    "STATUS_COLUMNS",
    "SheetRow",
    "Table",
    "WriteReport",
    "check_status_columns",
    "fold_header",
    "read_table",
    "statuses_sibling",
    "write_statuses",
]

# Characters XML 1.0 cannot hold; openpyxl would refuse them or write a file Excel cannot open.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XLSX_CELL_LIMIT = 32767  # Excel "repairs" a workbook with a longer cell, cutting it
_DELIMITERS = (",", ";", "\t", "|")
_QUOTE_IF = frozenset('"\r\n').union(_DELIMITERS)
# A multi-byte UTF-8 character: in a file that is not valid UTF-8, a sign of mixed encodings
# when it is a Latin letter or common punctuation (Windows-1252 text can form byte pairs that
# happen to be UTF-8 for some far-off script: "é" + no-break space, "ß" + a quote).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _latin(sequence: bytes) -> bool:
    char = sequence.decode("utf-8", "replace")
    return "\u00a0" <= char <= "\u024f" or "\u2010" <= char <= "\u20cf"


# Symbols that Windows-1252 gives for letters of other code pages (cp1250's "ł" reads as "³",
# "Ł" as "£", "Ż" as "¯"); beside a letter they are garbled text, not symbols. Superscripts
# (m², km³) and the pound (£m, £bn) sit beside letters as symbols too; they count only before
# a letter ("Wroc³aw"), or before a whole word ("£ukasz").
_ODD = "¯¹¥¤¦¨¬¸¼½¾¢§¶ˆ˜†‡‰ƒ"
_LETTER = r"[^\W\d_]"
_UNLIKELY = re.compile(
    rf"(?<={_LETTER})[{_ODD}]|[{_ODD}](?={_LETTER})|[²³](?={_LETTER})|£(?={_LETTER}{{3}})"
)
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


@dataclass(frozen=True)
class _CsvLayout:
    """What it takes to write a CSV back byte for byte, apart from the cells that change."""

    encoding: str
    bom: bool
    delimiter: str
    terminator: str
    final_newline: bool
    records: tuple[tuple[str, ...], ...]  # every record as parsed; a blank line is ()


def read_table(path: Path, sheet_name: str | None = None) -> Table:
    """Read a .csv or .xlsx sheet (for .xlsx: `sheet_name`, or the first worksheet)."""
    path = Path(path)
    if _kind(path) == "csv":
        if sheet_name is not None:
            raise SheetError(
                f'{path.name}: a CSV file has no sheets, so sheet "{sheet_name}" '
                "cannot be read; leave the sheet setting out"
            )
        return _read_csv(path)[0]
    title, lines = _read_xlsx(path, sheet_name)
    return make_table(path, "xlsx", title, lines)


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
        return _write_csv(table, statuses, target)
    return _write_xlsx(table, statuses, target)


def statuses_sibling(path: Path) -> Path:
    """Where statuses go when writing the workbook itself would lose parts of it."""
    return path.with_name(f"{path.stem}.statuses.xlsx")


# Reading ------------------------------------------------------------------------------------


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


def _read_csv(path: Path) -> tuple[Table, _CsvLayout]:
    name = path.name
    check_file(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise unreadable_file(path, err) from err
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(f'{name}: is UTF-16 text; save it as "CSV UTF-8 (Comma delimited)"')
    bom = data.startswith(codecs.BOM_UTF8)
    encoding, text = _decode(name, data[len(codecs.BOM_UTF8) :] if bom else data, bom)
    delimiter, terminator = _sniff(text)
    records: list[tuple[str, ...]] = []
    # strict: a stray quote must be an error, not a cell that silently swallows the rows after
    # it (or loses the quote on write-back).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records.extend(tuple(record) for record in reader)
    except csv.Error as err:
        where = f"{name}: row {len(records) + 1}"
        if "unexpected end of data" in str(err):
            raise SheetError(
                f'{where}: a quote (") opens a cell that is never closed, so every line after '
                "it would read as one cell; remove the stray quote or close it"
            ) from None
        if "expected after" in str(err):
            raise SheetError(
                f'{where}: text follows the closing quote (") of a cell; quote the whole cell '
                "or remove the stray quote"
            ) from None
        raise SheetError(f"{where}: {err}") from None
    layout = _CsvLayout(
        encoding, bom, delimiter, terminator, text.endswith(("\n", "\r")), tuple(records)
    )
    return make_table(path, "csv", None, [list(r) for r in records]), layout


def _decode(name: str, body: bytes, bom: bool) -> tuple[str, str]:
    """UTF-8 if it is valid, else the Windows code page Excel writes, else latin-1; refused
    where the result would be garbled text (mojibake) rather than what the user wrote."""
    try:
        return "utf-8", body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        if bom:
            raise SheetError(
                f"{name}: starts with a UTF-8 byte order mark but line {line} is not UTF-8; "
                "save the file again as CSV UTF-8"
            ) from None
        if any(_latin(m.group()) for m in _UTF8_SEQUENCE.finditer(body)):
            raise SheetError(
                f"{name}: line {line} is not UTF-8 while other lines are: the file mixes two "
                "encodings. Open it in a spreadsheet and save it as CSV UTF-8"
            ) from None
    try:
        encoding, text = "cp1252", body.decode("cp1252")
    except UnicodeDecodeError:
        encoding, text = "latin-1", body.decode("latin-1")
    unlikely = _UNLIKELY.search(text)
    if unlikely:
        at = unlikely.start()
        line = text.count("\n", 0, at) + 1
        snippet = text[max(text.rfind("\n", 0, at) + 1, at - 12) : at + 12].split("\n")[0]
        raise SheetError(
            f"{name}: is not UTF-8, and read as Windows-1252 line {line} gives {snippet!r}, which "
            "looks garbled (another encoding, such as Central European?). Save the file as "
            "CSV UTF-8 and run again"
        )
    return encoding, text


def _sniff(text: str) -> tuple[str, str]:
    """The delimiter and line end. The delimiter is the one that splits the first records into
    the same number of cells, more than one; ties go to the one most frequent in the header."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    terminator = "\r\n"
    quoted, previous = False, ""
    for i, char in enumerate(text):
        if quoted:
            quoted = char != '"'  # of a doubled quote, the second one opens again
        elif char == '"' and previous in ("", '"', *_DELIMITERS):
            quoted = True  # as for the csv module, a quote opens only at the start of a cell
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            terminator = "\r\n" if text.startswith("\r\n", i) else char
            break
        previous = char
    sample = text[:65536]
    cut = len(sample) < len(text)
    scores: dict[str, tuple[float, int]] = {}
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
        records: list[list[str]] = []
        try:
            records.extend(r for r in itertools.islice(reader, 50) if r)
        except csv.Error as err:
            # The wrong delimiter often leaves quotes where none can be; but a sample cut
            # inside a long quoted cell ends "unexpectedly" with the right one too.
            if not (cut and "unexpected end of data" in str(err)):
                continue
        if cut:
            records = records[:-1]  # the sample may end inside the last record
        width = len(records[0]) if records else 0
        alike = sum(len(r) == width for r in records) / len(records) if width > 1 else 0.0
        scores[delimiter] = (alike, counts[delimiter])
    return max(_DELIMITERS, key=lambda d: scores.get(d, (0.0, 0))), terminator


def _read_xlsx(path: Path, sheet_name: str | None) -> tuple[str, list[list[str]]]:
    """The sheet's title and its cells as display text, row 1 first."""
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
    return sheet.title, [[display_text(value, fmt) for value, fmt in row] for row in raw]


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


def _write_csv(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> WriteReport:
    current, layout = _read_csv(table.path)
    cells_now = {row.number: row.cells for row in current.rows}
    check_unchanged(table, current.headers, lambda n: cells_now.get(n, ()))
    columns = status_columns(current.headers)
    width = max(len(current.headers), *(c + 1 for c in columns))
    lines = []
    for number, record in enumerate(layout.records, start=1):
        if not record:
            lines.append("")
            continue
        # Cells right of the header are empty (reading checks that), so cutting them loses nothing.
        cells = list(record[:width]) + [""] * (width - len(record))
        if number == 1:
            for column, header in zip(columns, STATUS_COLUMNS, strict=True):
                if column >= len(current.headers):
                    cells[column] = header
        elif number in statuses:
            for column, value in zip(columns, statuses[number].texts(), strict=True):
                cells[column] = neutralised(value)
        lines.append(layout.delimiter.join(_csv_field(c, layout.delimiter) for c in cells))
    text = layout.terminator.join(lines) + (layout.terminator if layout.final_newline else "")
    data = (codecs.BOM_UTF8 if layout.bom else b"") + text.encode(layout.encoding, "replace")
    if not (same_file(target, table.path) and target.read_bytes() == data):
        atomic_write(target, table.path, lambda out: out.write(data))
    return WriteReport(target, None)


def _csv_field(value: str, delimiter: str) -> str:
    """Quote where needed, and also around any character that could be a delimiter: then the
    file's delimiter is beyond doubt the next time it is read. Unlike csv.writer, a lone
    '\\r' is always quoted (it ends a record)."""
    if any(c in value for c in _QUOTE_IF):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write_xlsx(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> WriteReport:
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
    atomic_write(target, source, book.save)
    return WriteReport(target, note)


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
