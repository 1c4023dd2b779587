"""Writing the status cells into a CSV, so that a diff of the file shows only them.

A line whose status cells do not change is written back as it was, byte for byte. A line that
changes keeps its other cells as they were written (quotes and all), and its status cells
follow the quoting the file already uses: every cell quoted, every non-empty cell quoted, or
quotes only where needed (then also around a would-be delimiter, so that the next read cannot
take another character for the delimiter). The encoding, byte order mark and line ends stay.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from ..errors import SheetChanged
from ..status import StatusCells
from .atomic import atomic_write, same_file
from .csvfile import CsvLayout, read_records
from .grid import Stamp, Table, WriteReport, Written
from .statuscols import cell_texts, check_unchanged, runner_columns, status_columns

_DELIMITERS = frozenset(",;\t|")
_NEEDS_QUOTES = re.compile('["\r\n' + re.escape("".join(sorted(_DELIMITERS))) + "]").search
_SAMPLE = 50  # records looked at to tell how the file quotes
_LINE_END = re.compile(r"(\r\n|\r|\n)")


class Quoting(StrEnum):
    ALL = "all"  # "a","","c"
    NONEMPTY = "nonempty"  # "a",,"c"
    MINIMAL = "minimal"  # a,,c (quotes where a cell needs them)


def write_csv(
    table: Table,
    statuses: Mapping[int, StatusCells],
    target: Path,
    check: Callable[[], None] = lambda: None,
) -> WriteReport:
    """Write the statuses into the CSV as it is on disk now (see the module's docstring)."""
    if _as_read(table, statuses, target):
        return WriteReport(target, None)  # nothing would change: the file is left as it is
    layout = _as_at_read(table)
    fresh = layout is None
    layout = read_records(table.path) if layout is None else layout
    records = layout.records
    headers = _headers_now(table, records)
    if fresh:  # else these are the very records `table` was made of
        check_unchanged(table, headers, lambda n: records[n - 1] if n <= len(records) else ())
    names = runner_columns(table)
    columns = status_columns(headers, names)
    width = max(len(headers), *(c + 1 for c in columns))
    if layout.lines is not None:  # cut by the write before, this one's own copy
        raws, endings = list(layout.lines[0]), list(layout.lines[1])
    else:
        raws, endings = raw_records(layout.text, layout.delimiter, len(layout.records))
    # Lines above the header (a title block) are no part of the table: how they are quoted
    # says nothing of how the table's cells are.
    header_at = table.header_row - 1
    quoting = quoting_of(raws[header_at : header_at + _SAMPLE], layout.delimiter)
    new_headers = {c: h for c, h in zip(columns, names, strict=True) if c >= len(headers)}
    lines = _Lines(columns, width, quoting, layout.delimiter)
    set_in: dict[int, Mapping[int, str]] = {}  # line -> the cells set in it
    if new_headers:
        raws[header_at] = lines.with_cells(raws[header_at], records[header_at], new_headers)
        set_in[header_at] = new_headers
    for number, cells in statuses.items():  # only the lines that may change are looked at
        at = number - 1
        if at < len(records) and records[at] and number != table.header_row:
            texts = cell_texts(cells, table)
            raw = lines.with_texts(raws[at], records[at], texts)
            if raw is not raws[at]:  # (the very string where the line already holds them)
                raws[at] = raw
                set_in[at] = {c: t for c, t in zip(columns, texts, strict=True) if t is not None}
    parts = [""] * (2 * len(raws))
    parts[::2], parts[1::2] = raws, endings
    text = "".join(parts)
    # Excel's "sep=;" line stays first: it is how Excel opens the file with its delimiter.
    data = _encoded(layout.sep_line + text, layout)
    into_sheet = same_file(target, table.path)
    if into_sheet and target.read_bytes() == data:
        return WriteReport(target, None)  # the file holds them already
    written = atomic_write(target, table.path, lambda out: out.write(data), check)
    if not into_sheet:  # (what it wrote is handed on only for writes into the sheet itself)
        return WriteReport(target, None)
    as_written = _as_written(layout, text, width, set_in, (tuple(raws), tuple(endings)))
    return WriteReport(target, None, layout=as_written, written=Written.of(written))


def _as_written(
    layout: CsvLayout,
    text: str,
    width: int,
    set_in: Mapping[int, Mapping[int, str]],
    lines: tuple[tuple[str, ...], tuple[str, ...]],
) -> CsvLayout:
    """The file as just written (`text`, in `lines`): each changed line's record is its cells
    up to `width` (empty ones added) with those set, as `_Lines` writes it and the csv module
    reads it back; the other lines' records are as they were."""
    records = list(layout.records)
    for at, values in set_in.items():
        cells = list(records[at][:width])
        cells += [""] * (width - len(cells))
        for column, value in values.items():
            cells[column] = value
        records[at] = tuple(cells)
    return replace(layout, records=tuple(records), text=text, lines=lines)


def _headers_now(table: Table, records: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The header as the file has it now (up to its last name), once sure no row has a value
    right of it: that value was typed since the sheet was read (which refuses such a cell),
    and the status columns would be written over it."""
    at = table.header_row
    header = records[at - 1] if at <= len(records) else ()
    width = max((i + 1 for i, name in enumerate(header) if name), default=0)
    beyond = (n for n, cells in enumerate(records[at:], at + 1) if len(cells) > width)
    typed = next((n for n in beyond if any(records[n - 1][width:])), None)
    if typed is not None:
        raise SheetChanged(
            f"{table.path.name}: changed since it was read (row {typed} has a value right of "
            "the last column name); statuses were not written, so nothing changed in the "
            "meantime is overwritten"
        )
    return header[:width]


def _as_at_read(table: Table) -> CsvLayout | None:
    """The file's text and records as `table` was read from them, if the file is still at the
    stamp it had then (no program has saved it since, nor has the runner): then reading and
    checking it again (a third of a resume's write at 100,000 rows) would find the same."""
    if table.read_as is None:
        return None
    stamp, layout = table.read_as
    # A file system that keeps whole seconds (FAT, HFS+, some network shares) could give a
    # save in place within that second the same stamp: there the file is read and checked.
    if stamp.mtime_ns % 1_000_000_000 == 0:
        return None
    return layout if Stamp.of(table.path) == stamp else None


def _as_read(table: Table, statuses: Mapping[int, StatusCells], target: Path) -> bool:
    """Whether the sheet, unchanged since `table` read it, shows these statuses already (the
    first write of a resumed run, most often): then there is no need to read it again."""
    if not (table.statuses_as_read and table.stamp and same_file(target, table.path)):
        return False
    columns = status_columns(table.headers, runner_columns(table))
    if max(columns) >= len(table.headers) or Stamp.of(table.path) != table.stamp:
        return False
    rows = {row.number: row.cells for row in table.rows}
    for number, cells in statuses.items():
        if cells.shown_in == number:
            continue  # these cells are the row's own as read, and read as they would write
        shown = rows.get(number)
        texts = zip(columns, cell_texts(cells, table), strict=True)
        if shown is None or any(t is not None and shown[c] != t for c, t in texts):
            return False
    return True


def _encoded(text: str, layout: CsvLayout) -> bytes:
    return (codecs.BOM_UTF8 if layout.bom else b"") + text.encode(layout.encoding, "replace")


class _Grammar(NamedTuple):
    record: re.Pattern[str]  # one record and the line end after it
    cell: re.Pattern[str]  # one cell of a record as written, and the delimiter after it
    cells: str  # a pattern of one cell of a record and its delimiter, for `{n}` to follow


@functools.cache
def _grammar(delimiter: str) -> _Grammar:
    """A CSV's records and cells as the csv module reads them (a quote opens a cell only at its
    start; inside, a doubled quote is one quote and a line end is text), as regular expressions:
    the scan then runs in C rather than a character at a time in Python."""
    d = re.escape(delimiter)
    quoted_cell = r'"(?:[^"]|"")*"'
    cell = rf'{quoted_cell}|[^"\r\n{d}][^\r\n{d}]*'
    in_record = rf'{quoted_cell}|[^"{d}][^{d}]*|'  # a record's unquoted cells end at its end
    return _Grammar(
        re.compile(rf"(?:{cell})?(?:{d}(?:{cell})?)*(\r\n|\r|\n|\Z)"),
        re.compile(rf"({in_record})({d}|\Z)"),
        rf"(?:(?:{in_record}){d})",
    )


def raw_records(text: str, delimiter: str, count: int) -> tuple[list[str], list[str]]:
    """Each of the `count` records of `text` as written, and the line end after each ("" after
    a last line without one). Most files have no line end inside a cell: their lines are their
    records, found by one split; else each record is scanned for (see `record_spans`)."""
    pieces = _lines(text)
    if pieces[-1] == "":  # the text ends with a line end: no record after it
        pieces.pop()
    else:
        pieces.append("")
    if len(pieces) == 2 * count:
        return pieces[::2], pieces[1::2]
    spans = record_spans(text, delimiter)
    return [text[start:end] for start, end, _ in spans], [ending for _, _, ending in spans]


def _lines(text: str) -> list[str]:
    """`_LINE_END.split(text)`: each line, then the line end after it. Where every line ends
    alike, as in nearly every file, str.split does it in half the time of the pattern (a tenth
    of a second of a 100,000-row campaign's first write)."""
    if "\r" not in text:
        end = "\n"
    elif "\n" not in text:
        end = "\r"
    else:
        crlf = text.count("\r\n")
        end = "\r\n" if text.count("\r") == crlf == text.count("\n") else ""
    if not end:  # line ends of more than one kind
        return _LINE_END.split(text)
    lines = text.split(end)
    pieces = [end] * (2 * len(lines) - 1)
    pieces[::2] = lines
    return pieces


def record_spans(text: str, delimiter: str) -> list[tuple[int, int, str]]:
    """Where each record lies in `text`: (start, end, the line ending after it). A newline
    inside a quoted cell is part of the record, as the csv module reads it."""
    record = _grammar(delimiter).record
    spans = []
    start, size = 0, len(text)
    while start < size:
        match = record.match(text, start)
        # The text was just read by the csv module in strict mode, so every record parses.
        assert match is not None, f"no CSV record at offset {start}"
        spans.append((start, match.start(1), match.group(1)))
        start = match.end()
    return spans


def raw_fields(line: str, delimiter: str) -> list[str]:
    """A record's cells as they are written in the file, quotes and all."""
    if '"' not in line:
        return line.split(delimiter)
    cell = _grammar(delimiter).cell
    fields, start = [], 0
    while True:
        match = cell.match(line, start)
        assert match is not None, f"no CSV cell at offset {start}"  # as in record_spans
        fields.append(match.group(1))
        if not match.group(2):
            return fields
        start = match.end()


def quoting_of(records: Sequence[str], delimiter: str) -> Quoting:
    """How the file quotes its cells, from its first records (as written)."""
    every = non_empty = True
    for record in records:
        for field in raw_fields(record, delimiter) if record else []:
            is_quoted = field.startswith('"')
            every = every and is_quoted
            non_empty = non_empty and (is_quoted or field == "")
    if every and records:
        return Quoting.ALL
    return Quoting.NONEMPTY if non_empty and records else Quoting.MINIMAL


def quoted(value: str, quoting: Quoting) -> str:
    """One cell as the file's quoting writes it."""
    needed = _NEEDS_QUOTES(value) is not None
    if quoting is Quoting.ALL or needed or (quoting is Quoting.NONEMPTY and value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _quoted_if_needed(value: str) -> str:
    return value if _NEEDS_QUOTES(value) is None else '"' + value.replace('"', '""') + '"'


class _Lines:
    """Lines with the status cells set, as the file writes its cells."""

    def __init__(
        self, columns: Sequence[int], width: int, quoting: Quoting, delimiter: str
    ) -> None:
        self.width, self.quoting, self.delimiter = width, quoting, delimiter
        self.empty = quoted("", quoting)
        # The runner's columns are most often the last ones, side by side: then a changed line
        # is the text before them as it is, and the new cells; no need to split every cell.
        self.columns = tuple(columns)
        self.first = min(columns)
        self.trailing = sorted(columns) == list(range(self.first, width))
        self.in_order = self.columns == tuple(range(self.first, width))
        self.head = re.compile(_grammar(delimiter).cells + f"{{{self.first}}}")
        self.quote: Callable[[str], str] = functools.partial(quoted, quoting=quoting)
        if quoting is Quoting.MINIMAL:  # most files: a cell is most often written as it is
            self.quote = _quoted_if_needed

    def with_texts(self, raw: str, record: tuple[str, ...], texts: Sequence[str | None]) -> str:
        """`raw` with the runner's cells (`texts`, one for each of its columns, None where the
        cell is kept) set; unchanged if they already hold them."""
        if not (self.in_order and None not in texts):
            values = {c: t for c, t in zip(self.columns, texts, strict=True) if t is not None}
            return self.with_cells(raw, record, values)
        if len(record) >= self.width and record[self.first : self.width] == tuple(texts):
            return raw
        cells = self.delimiter.join([self.quote(text) for text in texts if text is not None])
        return self._head(raw, record) + self.delimiter + cells

    def with_cells(self, raw: str, record: tuple[str, ...], values: Mapping[int, str]) -> str:
        """`raw` with the cells at `values`' columns set; unchanged if they already hold them."""
        if len(record) >= self.width and all(record[c] == v for c, v in values.items()):
            return raw
        delimiter, quoting = self.delimiter, self.quoting
        if self.trailing and len(values) == self.width - self.first:
            cells = delimiter.join(
                [quoted(values[c], quoting) for c in range(self.first, self.width)]
            )
            return self._head(raw, record) + delimiter + cells
        fields = raw_fields(raw, delimiter)[: self.width]
        fields += [self.empty] * (self.width - len(fields))
        for column, value in values.items():
            fields[column] = quoted(value, quoting)
        return delimiter.join(fields)

    def _head(self, raw: str, record: tuple[str, ...]) -> str:
        """The line's first `first` cells as written (empty ones added where it has fewer)."""
        if len(record) <= self.first:
            return raw + (self.delimiter + self.empty) * (self.first - len(record))
        if '"' not in raw:
            return raw[: len(raw) - len(raw.split(self.delimiter, self.first)[-1]) - 1]
        head = self.head.match(raw)
        assert head is not None, "fewer cells than read"  # the record has more than `first`
        return raw[: head.end() - 1]
