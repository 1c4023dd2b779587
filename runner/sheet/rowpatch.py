"""One `<row>` of a worksheet, patched: the runner's cells set, every other byte kept.

A cell the runner writes becomes an inline string, `<c r="L5" s="3" t="inlineStr"><is><t>sent
</t></is></c>`: it needs no change to the shared-string table, and text there is never a
formula. An existing cell keeps its style (`s`); a new one takes the style Excel would give a
cell typed there (the row's, else the column's; in the header row, the last header cell's).
A `Restyle` may then change that style (see look). An empty text empties the cell but keeps
it, with its style. Cells stay in column order; the row's other cells, its attributes and
everything between them keep their bytes (`spans`, a hint of the row's first and last column,
is widened).

Cells are found by byte search, which is exact when the row holds no comment, CDATA section,
processing instruction or namespace declaration (the only places `<c` or `</c>` could stand for
something else); a row that has one is read token by token instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .refs import cell_name, column_index
from .xmlscan import (
    TOKEN,
    Damaged,
    attributes,
    cell_text,
    drop_attribute,
    local,
    set_attribute,
    text_element,
    tokens,
)

_R_LETTERS = re.compile(rb"\$?([A-Za-z]{1,3})")
_SPANS = re.compile(rb"(\d+):(\d+)")
_TRUE = (b"1", b"true")
_AFTER_NAME = (b" ", b"\t", b"\r", b"\n", b"/", b">")  # what may follow an element's name

# The style a written cell takes: (its column, its text, the style it keeps or would take) -> s.
Restyle = Callable[[int, str, bytes | None], bytes | None]


def _as_is(col: int, text: str, style: bytes | None) -> bytes | None:
    return style


@dataclass(frozen=True)
class Cell:
    """A `<c>` of the row: its column, where it lies in the row's bytes, its start tag."""

    col: int
    start: int
    end: int
    tag: bytes


@dataclass(frozen=True)
class Patched:
    """A patched row, and the formulas it lost: (column, the `<f>` start tag) of each."""

    data: bytes
    formulas: tuple[tuple[int, bytes], ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: one per prefix, cached
class _Names:
    """A prefix's element names, and the searches the fast path makes with them."""

    cell_open: bytes  # b"<c"
    cell_start: re.Pattern[bytes]
    cell_end: re.Pattern[bytes]
    formula_start: re.Pattern[bytes]
    new_cell: bytes  # b'<c r="'
    inline_open: bytes  # b' t="inlineStr"><is>'
    inline_close: bytes  # b"</is></c>"
    text: bytes  # b"t"


@lru_cache(maxsize=8)
def _names(prefix: bytes) -> _Names:
    p = re.escape(prefix)
    return _Names(
        b"<" + prefix + b"c",
        re.compile(b"<" + p + rb"c(?=[\s/>])"),
        re.compile(b"</" + p + rb"c\s*>"),
        re.compile(b"<" + p + rb"f(?=[\s/>])"),
        b"<" + prefix + b'c r="',
        b' t="inlineStr"><' + prefix + b"is>",
        b"</" + prefix + b"is></" + prefix + b"c>",
        prefix + b"t",
    )


def needs_tokens(data: bytes) -> bool:
    """Whether byte search could be misled in `data` (see the module's docstring)."""
    return b"<!" in data or b"<?" in data or b"xmlns" in data


def patch_row(
    row: bytes,
    number: int,
    writes: Mapping[int, str],
    col_styles: Mapping[int, bytes],
    header: bool,
    careful: bool | None = None,
    restyle: Restyle = _as_is,
) -> Patched:
    """`row` (a whole `<row>` element) with the cells in `writes` (column -> text) set.
    `careful`: whether the row needs reading token by token (see `needs_tokens`), if known."""
    start = TOKEN.match(row)
    if start is None or start["name"] is None:
        raise Damaged(f"row {number} is not well-formed XML")
    prefix = start["name"][: -len(b"row")]
    names = _names(prefix)
    tag = row[: start.end()]
    body = b"" if start["empty"] else row[start.end() : row.rindex(b"<")]
    first = min(writes)
    careful = needs_tokens(body) if careful is None else careful
    cells = None if careful else _cells_from_end(body, names, number, first)
    if cells is None:
        cells = _cells(body, names, number, careful)
    row_attrs = attributes(tag)
    styles = _new_styles(header, cells, writes, row_attrs, col_styles)
    new_body, formulas = _patch_cells(body, cells, number, writes, styles, names, restyle)
    if new_body == body and not start["empty"]:
        return Patched(row, formulas)
    tag = _widen_spans(tag, row_attrs.get(b"spans"), writes)
    if start["empty"]:
        if not new_body:
            return Patched(row, formulas)
        tag = tag[:-2].rstrip() + b">"
    return Patched(tag + new_body + b"</" + start["name"] + b">", formulas)


def new_row(
    prefix: bytes,
    number: int,
    writes: Mapping[int, str],
    styles: Mapping[int, bytes],
    restyle: Restyle = _as_is,
) -> bytes:
    """A `<row>` for a row the sheet has no element for; b"" if it would be empty."""
    names = _names(prefix)
    cells = b"".join(
        _cell(names, number, col, text, restyle(col, text, styles.get(col)))
        for col, text in sorted(writes.items())
        if text
    )
    if not cells:
        return b""
    return (
        b"<" + prefix + b'row r="' + str(number).encode() + b'">' + cells + b"</" + prefix + b"row>"
    )


def _new_styles(
    header: bool,
    cells: list[Cell],
    writes: Mapping[int, str],
    row_attrs: Mapping[bytes, bytes],
    col_styles: Mapping[int, bytes],
) -> Mapping[int, bytes]:
    """The style a new cell takes, by column: in the header, the last header cell's; else a
    formatted row's, else its column's (what Excel gives a cell typed there)."""
    if header:
        left = [c for c in cells if c.col < min(writes)]
        own = attributes(left[-1].tag).get(b"s") if left else None
        return {col: own for col in writes} if own else {}
    if row_attrs.get(b"customFormat") in _TRUE and b"s" in row_attrs:
        return {col: row_attrs[b"s"] for col in writes}
    return col_styles


def _cells_from_end(body: bytes, names: _Names, number: int, first: int) -> list[Cell] | None:
    """The row's cells in column `first` and right of it, and the one just left of them,
    searched from the row's end: the runner's columns are usually its last. None when a cell
    without `r` leaves their columns to be counted from the start."""
    cells: list[Cell] = []
    end = len(body)
    while (at := body.rfind(names.cell_open, 0, end)) >= 0:
        end = at
        if body[at + len(names.cell_open) : at + len(names.cell_open) + 1] not in _AFTER_NAME:
            continue  # <color>, <charset>...: rich text inside a cell
        tag = TOKEN.match(body, at)
        if tag is None:
            raise Damaged(f"row {number} is not well-formed XML")
        col = _column(tag[0], number)
        if col is None:
            return None
        cells.append(Cell(col, at, _cell_end(body, tag, names, number), tag[0]))
        if col < first:
            break
    cells.reverse()
    return cells


def _cells(body: bytes, names: _Names, number: int, careful: bool) -> list[Cell]:
    spans = _token_spans(body, number) if careful else _fast_spans(body, names, number)
    cells = []
    col = -1
    for start, end, tag in spans:
        found = _column(tag, number)
        col = col + 1 if found is None else found
        cells.append(Cell(col, start, end, tag))
    return cells


def _column(tag: bytes, number: int) -> int | None:
    """The 0-based column a cell's `r` gives; None without one."""
    ref = attributes(tag).get(b"r")
    if ref is None:
        return None
    letters = _R_LETTERS.match(ref)
    if letters is None:
        raise Damaged(f"row {number}: a cell has the reference {ref.decode(errors='replace')!r}")
    return column_index(letters[1].decode())


def _cell_end(body: bytes, tag: re.Match[bytes], names: _Names, number: int) -> int:
    if tag["empty"]:
        return tag.end()
    close = names.cell_end.search(body, tag.end())
    if close is None:
        raise Damaged(f"row {number}: a cell is not closed")
    return close.end()


def _fast_spans(body: bytes, names: _Names, number: int) -> list[tuple[int, int, bytes]]:
    spans = []
    pos = 0
    while found := names.cell_start.search(body, pos):
        tag = TOKEN.match(body, found.start())
        if tag is None:
            raise Damaged(f"row {number} is not well-formed XML")
        end = _cell_end(body, tag, names, number)
        spans.append((tag.start(), end, tag[0]))
        pos = end
    return spans


def _token_spans(body: bytes, number: int) -> list[tuple[int, int, bytes]]:
    """Cells as the row's direct children named c, whatever comments or CDATA hold."""
    spans = []
    depth = 0
    opened: tuple[int, bytes] | None = None
    for token in tokens(body, 0, f"row {number}"):
        if token["name"] is not None:
            if depth == 0 and local(token["name"]) == b"c":
                if token["empty"]:
                    spans.append((token.start(), token.end(), token[0]))
                else:
                    opened = (token.start(), token[0])
            depth += 0 if token["empty"] else 1
        elif token["end"] is not None:
            depth -= 1
            if depth == 0 and opened is not None:
                spans.append((opened[0], token.end(), opened[1]))
                opened = None
    return spans


def _patch_cells(
    body: bytes,
    cells: list[Cell],
    number: int,
    writes: Mapping[int, str],
    styles: Mapping[int, bytes],
    names: _Names,
    restyle: Restyle,
) -> tuple[bytes, tuple[tuple[int, bytes], ...]]:
    present = {c.col for c in cells}
    pending = sorted(col for col in writes if col not in present)
    pieces: list[bytes] = []
    formulas = []
    last = 0

    def new(col: int) -> bytes:
        text = writes[col]
        return _cell(names, number, col, text, restyle(col, text, styles.get(col))) if text else b""

    for cell in cells:
        pieces.append(body[last : cell.start])
        while pending and pending[0] < cell.col:
            pieces.append(new(pending.pop(0)))
        if cell.col in writes:
            original = body[cell.start : cell.end]
            formula = names.formula_start.search(original)
            if formula:
                f_tag = TOKEN.match(original, formula.start())
                formulas.append((cell.col, f_tag[0] if f_tag else b""))
            text = writes[cell.col]
            style = restyle(cell.col, text, attributes(cell.tag).get(b"s"))
            pieces.append(_cell(names, number, cell.col, text, style, keep=True))
        else:
            pieces.append(body[cell.start : cell.end])
        last = cell.end
    pieces += [new(col) for col in pending]
    pieces.append(body[last:])
    return b"".join(pieces), tuple(formulas)


def _cell(
    names: _Names, number: int, col: int, text: str, style: bytes | None, keep: bool = False
) -> bytes:
    """An inline-string cell; for empty text, an empty cell (`keep`: it replaces one)."""
    head = names.new_cell + cell_name(number, col).encode() + b'"'
    if style is not None:
        head += b' s="' + style + b'"'
    if not text:
        return head + b"/>" if keep else b""
    return head + _inline(names, text)


@lru_cache(maxsize=1024)
def _inline(names: _Names, text: str) -> bytes:
    """The rest of an inline-string cell after its `r` and `s`: statuses repeat a lot."""
    return names.inline_open + text_element(names.text, cell_text(text)) + names.inline_close


def _widen_spans(tag: bytes, spans: bytes | None, writes: Mapping[int, str]) -> bytes:
    if spans is None:
        return tag
    found = _SPANS.fullmatch(spans.strip())
    if found is None:  # several ranges, or not numbers: a hint Excel does without
        return drop_attribute(tag, b"spans")
    first = min(int(found[1]), min(writes) + 1)
    last = max(int(found[2]), max(writes) + 1)
    if (first, last) == (int(found[1]), int(found[2])):
        return tag
    return set_attribute(tag, b"spans", f"{first}:{last}")
