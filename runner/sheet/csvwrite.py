"""Writing the status cells into a CSV, so that a diff of the file shows only them.

A line whose status cells do not change is written back as it was, byte for byte. A line that
changes keeps its other cells as they were written (quotes and all), and its status cells
follow the quoting the file already uses: every cell quoted, every non-empty cell quoted, or
quotes only where needed (then also around a would-be delimiter, so that the next read cannot
take another character for the delimiter). The encoding, byte order mark and line ends stay.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path

from ..status import StatusCells
from .atomic import atomic_write, same_file
from .csvfile import CsvLayout, read_with_layout
from .grid import Table, WriteReport
from .statuscols import cell_texts, check_unchanged, runner_columns, status_columns

_DELIMITERS = frozenset(",;\t|")
_QUOTE_IF = frozenset('"\r\n') | _DELIMITERS
_SAMPLE = 50  # records looked at to tell how the file quotes


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
    current, layout = read_with_layout(table.path, table.header_row)
    cells_now = {row.number: row.cells for row in current.rows}
    check_unchanged(table, current.headers, lambda n: cells_now.get(n, ()))
    names = runner_columns(table)
    columns = status_columns(current.headers, names)
    width = max(len(current.headers), *(c + 1 for c in columns))
    spans = record_spans(layout.text, layout.delimiter)
    # Lines above the header (a title block) are no part of the table: how they are quoted
    # says nothing of how the table's cells are.
    header_at = table.header_row - 1
    quoting = quoting_of(layout.text, spans[header_at : header_at + _SAMPLE], layout.delimiter)
    new_headers = {c: h for c, h in zip(columns, names, strict=True) if c >= len(current.headers)}
    parts = []
    for number, ((start, end, ending), record) in enumerate(
        zip(spans, layout.records, strict=True), start=1
    ):
        raw = layout.text[start:end]
        if number == table.header_row and new_headers:
            raw = _with_cells(raw, record, new_headers, width, quoting, layout.delimiter)
        elif number in statuses and record:
            texts = zip(columns, cell_texts(statuses[number], table), strict=True)
            values = {column: text for column, text in texts if text is not None}  # None: kept
            raw = _with_cells(raw, record, values, width, quoting, layout.delimiter)
        parts.append(raw + ending)
    # Excel's "sep=;" line stays first: it is how Excel opens the file with its delimiter.
    data = _encoded(layout.sep_line + "".join(parts), layout)
    if not (same_file(target, table.path) and target.read_bytes() == data):
        atomic_write(target, table.path, lambda out: out.write(data), check)
    return WriteReport(target, None)


def _encoded(text: str, layout: CsvLayout) -> bytes:
    return (codecs.BOM_UTF8 if layout.bom else b"") + text.encode(layout.encoding, "replace")


def record_spans(text: str, delimiter: str) -> list[tuple[int, int, str]]:
    """Where each record lies in `text`: (start, end, the line ending after it). A newline
    inside a quoted cell is part of the record, as the csv module reads it."""
    spans = []
    start = i = 0
    size = len(text)
    quoted, at_field_start = False, True
    while i < size:
        char = text[i]
        if quoted:
            if char == '"':
                if text.startswith('"', i + 1):
                    i += 1  # a doubled quote is one quote inside the cell
                else:
                    quoted = False
        elif char == '"' and at_field_start:
            quoted = True
        elif char in "\r\n":
            ending = "\r\n" if text.startswith("\r\n", i) else char
            spans.append((start, i, ending))
            i += len(ending)
            start, at_field_start = i, True
            continue
        at_field_start = not quoted and char == delimiter
        i += 1
    if start < size:
        spans.append((start, size, ""))
    return spans


def raw_fields(line: str, delimiter: str) -> list[str]:
    """A record's cells as they are written in the file, quotes and all."""
    fields, start, i, quoted = [], 0, 0, False
    while i < len(line):
        char = line[i]
        if quoted:
            if char == '"':
                if line.startswith('"', i + 1):
                    i += 1
                else:
                    quoted = False
        elif char == '"' and i == start:
            quoted = True
        elif char == delimiter:
            fields.append(line[start:i])
            start = i + 1
        i += 1
    fields.append(line[start:])
    return fields


def quoting_of(text: str, spans: Sequence[tuple[int, int, str]], delimiter: str) -> Quoting:
    """How the file quotes its cells, from its first records."""
    every = non_empty = True
    for start, end, _ in spans:
        for field in raw_fields(text[start:end], delimiter) if end > start else []:
            is_quoted = field.startswith('"')
            every = every and is_quoted
            non_empty = non_empty and (is_quoted or field == "")
    if every and spans:
        return Quoting.ALL
    return Quoting.NONEMPTY if non_empty and spans else Quoting.MINIMAL


def quoted(value: str, quoting: Quoting) -> str:
    """One cell as the file's quoting writes it."""
    needed = any(c in _QUOTE_IF for c in value)
    if quoting is Quoting.ALL or needed or (quoting is Quoting.NONEMPTY and value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _with_cells(
    raw: str,
    record: tuple[str, ...],
    values: Mapping[int, str],
    width: int,
    quoting: Quoting,
    delimiter: str,
) -> str:
    """`raw` with the cells at `values`' columns set; unchanged if they already hold them."""
    padded = list(record) + [""] * (width - len(record))
    if len(record) >= width and all(padded[c] == v for c, v in values.items()):
        return raw
    fields = raw_fields(raw, delimiter)[:width]
    fields += [quoted("", quoting)] * (width - len(fields))
    for column, value in values.items():
        fields[column] = quoted(value, quoting)
    return delimiter.join(fields)
