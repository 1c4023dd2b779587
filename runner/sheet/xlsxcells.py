"""A worksheet's cells as the text Excel shows, read with python-calamine.

calamine reads values an order of magnitude faster than openpyxl's read-only mode, but the text
the runner shows for every cell has always been openpyxl's, and must stay so. Most cells are
the same either way: text, booleans, and numbers in the General format. The others are found
by one scan of the sheet's bytes (see sheetscan, which also finds the rows hidden and the
formulas) and read there as openpyxl reads them (see cellxml): numbers in any other format
(calamine keeps no format, and decides on its own which formats are dates), errors (calamine
gives an empty cell), and the strings calamine trims or unescapes (see sharedstrings). A value
whose text calamine's alone cannot tell (an ISO date, `t="d"`, or an integer beyond a float's
precision) is read again in a second pass, rarely needed.

Where the two could still differ, in sheets no writer makes: cells out of column order within
a row, or whose `r` names another row than theirs (openpyxl drops or moves them), a boolean
written as a word, a number with spaces in its `<v>`, end tags that do not match (calamine
reads past them; openpyxl refuses the sheet). And where openpyxl refused a sheet calamine
reads, it is read: a style attribute left empty (`s=""`), a strict Open XML workbook.

openpyxl still reads the whole sheet (see xlsx.read_xlsx) where this cannot tell; each such
case raises Unsure, or is an error calamine raises:
- calamine refuses the file: a damaged or encrypted package, an error value it does not know
  (#SPILL!, #CALC!, #BUSY!, ...), a shared string index out of range;
- the sheet is spelt in a way the scan does not trust: rows or cells without their `r`, rows out
  of order, comments or CDATA among the rows, an odd spelling of a cell it must find;
- the cells span more than calamine's grid may hold: calamine allocates every cell of the
  rectangle the values span, so a stray value at XFD1048576 would take hundreds of GB;
- openpyxl's styles reader fails on the styles part, or the default style formats numbers.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import python_calamine

from .cellformats import Unsure, book_formats
from .cellxml import CellReader
from .package import Package, SheetPart
from .sharedstrings import SharedStrings
from .sheetscan import Cell, Scan, Wants, reread, scan_sheet
from .xlsxfacts import Opener, SheetFacts, guarded, scanned_facts, sheet_opener

# Cells calamine's grid may span, at 32 bytes each: 256 MB, or 4 times the sheet's XML (a
# dense sheet's grid takes about as much as its XML; a sparse one can take any amount).
_GRID_LIMIT = 8_000_000
_SHARED_LIMIT = 250_000  # distinct texts shared (see _values)
_EXACT = 2.0**53  # beyond it a float no longer holds every integer openpyxl read exactly
_ODD = object()  # a value whose text needs the cell's format, or its digits as written


def read_cells(package: Package, sheet: SheetPart) -> tuple[list[list[str]], SheetFacts]:
    """The sheet's cells as text (`lines[0]` is row 1), and its facts."""
    formats = book_formats(package)
    formatted = formats.formatted()
    if 0 in formatted:
        raise Unsure("the default style formats numbers, and cells without a style use it")
    strings = SharedStrings(package)
    reader = CellReader(formats, strings)
    opener = sheet_opener(package, sheet)
    wants = Wants(reader, formatted, strings.risky())
    scan: Scan = guarded(package, sheet, lambda: _scan(opener, wants))
    limit = max(_GRID_LIMIT, package.parts[package.part_name(sheet.part) or ""].file_size // 8)
    if (scan.last_value - scan.first_value + 1) * scan.width > limit:
        raise Unsure("the cells span more than calamine's grid may hold")
    try:
        lines, odd, known_col = _values(package.path, sheet.title, scan.texts)
        _give_back()
    except python_calamine.CalamineError as err:
        raise Unsure(f"calamine refuses the sheet ({err})") from err
    except BaseException as err:
        if type(err).__name__ == "PanicException":  # pyo3 raises a Rust panic as this
            raise Unsure(f"calamine failed on the sheet ({err})") from err
        raise
    if odd:
        texts = guarded(package, sheet, lambda: _reread(opener, scan, odd, reader))
        _place(lines, texts.items())
    return lines, scanned_facts(package, sheet, scan, opener, known_col)


def _scan(opener: Opener, wants: Wants) -> Scan:
    with opener() as stream:
        return scan_sheet(stream, wants)


def _reread(opener: Opener, scan: Scan, cells: list[Cell], reader: CellReader) -> dict[Cell, str]:
    with opener() as stream:
        return reread(stream, scan, cells, reader)


def _values(
    path: Path, title: str, texts: dict[Cell, str]
) -> tuple[list[list[str]], list[Cell], int]:
    """calamine's values as text, with `texts` in their cells; the cells whose text calamine's
    value cannot tell; the rightmost column calamine found a value in."""
    # The cells `texts` sets, in row order: taken row by row as calamine's rows come (lists of
    # them by row took as much memory again as `texts`, at the reading's peak).
    cells = sorted(texts)
    at, ahead = 0, cells[0][0] if cells else 0  # the next cell to set, and its row
    lines: list[list[str]] = []
    odd: list[Cell] = []
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        sheet = book.get_sheet_by_name(title)
        start, end = sheet.start, sheet.end
        lead = [""] * start[1] if start else []
        width = end[1] - start[1] + 1 if start and end else 0
        # calamine gives each cell its own string, where openpyxl gave each shared string one:
        # a column of ten cities is 100,000 strings. Texts seen are shared (the first few
        # hundred thousand: most of those a sheet repeats come early, and the set stays small).
        seen: dict[str, str] = {}
        share = seen.setdefault
        convert, met = _texts(seen)
        odd_before = 0
        # iter_rows starts at row 1 but at the first column holding a value.
        for number, values in enumerate(sheet.iter_rows(), start=1):
            if len(values) != width:
                raise Unsure("calamine's rows are not as wide as this reader expects")
            line = [share(v, v) if v.__class__ is str else convert(v) for v in values]
            if len(seen) > _SHARED_LIMIT:
                share = seen.get
            if lead:
                line = lead + line
            if number == ahead:
                fixes = []
                while at < len(cells) and cells[at][0] == number:
                    fixes.append((cells[at][1], texts[cells[at]]))
                    at += 1
                ahead = cells[at][0] if at < len(cells) else 0
                _fix(line, fixes)
            if met[0] != odd_before:  # a value whose text the value alone cannot tell
                odd_before = met[0]
                odd += [(number, col) for col, value in enumerate(line) if value is _ODD]
            lines.append(line)  # type: ignore[arg-type]  # the _ODD ones are replaced
    if end and len(lines) != end[0] + 1:
        raise Unsure("calamine's rows do not start where this reader expects")
    # Rows beyond calamine's last (a cell it holds empty, openpyxl not).
    _place(lines, ((cell, texts[cell]) for cell in cells[at:]))
    return lines, odd, end[1] if end else -1


def _give_back() -> None:
    """calamine's grid is freed once read, but glibc keeps its pages for the process to reuse,
    and Python's own objects do not: give them back, or they stay resident until the end."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _texts(seen: dict[str, str]) -> tuple[Callable[[object], object], list[int]]:
    """A function giving the text of a value calamine gives that is not a string, when it needs
    no format (else _ODD), and the count of _ODD it gave, so a row with one is found at once.
    A number's text is shared through `seen` as the strings are (a column of scores would be a
    string a cell)."""
    met = [0]

    def shared(text: str) -> str:
        return seen.get(text) or (
            seen.setdefault(text, text) if len(seen) <= _SHARED_LIMIT else text
        )

    def text(value: object) -> object:
        if isinstance(value, float):
            if not value.is_integer():
                return shared(repr(value))
            if -_EXACT < value < _EXACT:
                return shared(str(int(value)))
        elif value.__class__ is bool:
            return "TRUE" if value else "FALSE"
        met[0] += 1  # a date, time or duration (formatted cells are read from the XML), or an
        return _ODD  # integer beyond a float's precision

    return text, met


def _fix(line: list[object], fixes: list[tuple[int, str]]) -> None:
    for col, text in fixes:
        if col >= len(line):
            line.extend([""] * (col + 1 - len(line)))
        line[col] = text


def _place(lines: list[list[str]], texts: Iterable[tuple[Cell, str]]) -> None:
    for (row, col), text in texts:
        while len(lines) < row:
            lines.append([])
        _fix(lines[row - 1], [(col, text)])  # type: ignore[arg-type]
