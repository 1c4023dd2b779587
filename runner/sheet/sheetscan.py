"""One streaming pass over a worksheet's XML as bytes: what calamine does not say about it.

A parse of every element costs more than calamine's whole read; most of a sheet is cells whose
value calamine gives exactly as openpyxl did. So the pass looks only for what matters, each
thing found by searching the bytes for it (every search is C-speed; Python runs once per find,
not once per cell): the rows' numbers (their order, the first and last), the rows hidden, the
formulas (for links), the columns the cells reach, and the cells calamine reads differently
from openpyxl, whose text is then read the way openpyxl reads it (see cellxml):

- a number in a style whose format is not General (calamine keeps no format, and decides dates
  its own way), found by its style attribute;
- an error (`t="e"`: calamine gives an empty cell);
- an inline string calamine would trim (text at the edge of a `<t>` without
  `xml:space="preserve"`), unescape (`_x000D_`, which openpyxl leaves as written) or join in
  another order (rich text, phonetic runs);
- a shared string among `risky` (the same, in the shared strings part: see sharedstrings).

The bytes are read in chunks cut at a `<row`, so memory holds a chunk, not the sheet. The pass
trusts the layout every writer uses: each row and cell with its `r`, no comments, CDATA or
processing instructions among the rows, rows in order. A sheet spelt otherwise raises Unsure,
and openpyxl reads it (with the facts from xlsxfacts' parsing reader).
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO

from .cellformats import Unsure
from .cellxml import CellReader
from .package import MAIN
from .refs import column_index, column_name, parse_cell
from .xmlscan import attributes, namespaces, text_of

_CHUNK = 1 << 20
_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet\b[^>]*>")
_TYPE = re.compile(rb' t="\w+"')  # a cell's type, where it comes between `r` and `s`
_FORMAT_FREE = (b"s", b"str", b"b", b"inlineStr")  # text and booleans show as they are
_COLUMN_SEARCHES = 64  # (column, formatted style) pairs searched for in a chunk of rows
_BEFORE_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*", re.S
)  # BOM, declaration

Cell = tuple[int, int]  # (row 1-based, column 0-based)


@dataclass
class Formula:
    """A cell's `<f>`: its attributes and its text (entities read)."""

    cell: Cell
    attrs: dict[bytes, bytes]
    text: str


@dataclass
class Scan:
    """What the pass found. `texts`: the cells read as openpyxl reads them, overriding
    calamine's; `width`: more than the largest 0-based column a cell names (27 when it names
    only columns A-Z); `tail`: the XML after `</sheetData>` (links, filter, merges)."""

    root: bytes = b""
    prefix: bytes = b""
    last_row: int = 0
    first_value: int = 0  # the first and last rows with a cell holding something
    last_value: int = 0
    width: int = 27
    hidden: list[int] = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)
    texts: dict[Cell, str] = field(default_factory=dict)
    tail: bytes = b""


@dataclass(frozen=True)
class Wants:
    """The cells whose text the pass reads: those in `formatted` styles, those holding shared
    strings in `risky`, and errors, ISO dates and the inline strings calamine changes."""

    reader: CellReader
    formatted: Collection[int]
    risky: Collection[int]


def scan_sheet(raw: IO[bytes], wants: Wants | None) -> Scan:
    """Scan worksheet `raw`; without `wants`, only the facts (rows, formulas, tail)."""
    return _Pass(raw, wants).run()


def row_pieces(raw: IO[bytes]) -> Iterator[bytes]:
    """The sheet's rows as bytes, in pieces that each end before a `<row`, for a second pass."""
    return _Pass(raw, None).pieces()


def reread(
    raw: IO[bytes], scan: Scan, cells: Collection[Cell], reader: CellReader
) -> dict[Cell, str]:
    """The text of `cells` (each named by its `r`) as openpyxl reads them: a second pass, for
    the few cells calamine's value alone cannot tell (an integer too large for a float)."""
    found: dict[Cell, str] = {}
    root, prefix = scan.root, scan.prefix
    for data in row_pieces(raw):
        for row, col in cells:
            ref = b"<" + prefix + b'c r="' + f"{column_name(col)}{row}".encode() + b'"'
            start = data.find(ref)
            if start >= 0:
                found[(row, col)] = reader.cell(root, data[start : _cell_end(data, start, prefix)])
    if len(found) != len(cells):
        raise Unsure("a cell calamine read is not where its reference says")
    return found


class _Pass:
    def __init__(self, raw: IO[bytes], wants: Wants | None) -> None:
        self.raw = raw
        self.wants = wants
        self.scan = Scan()
        self.prefix = b""
        self.last = 0  # the number of the last row seen

    def run(self) -> Scan:
        for data in self.pieces():
            self.piece(data)
        return self.scan

    def pieces(self) -> Iterator[bytes]:
        """The rows' bytes, in pieces that each end before a `<row`; then `scan.tail` is set."""
        buf = self.head()
        if buf is None:
            return
        p = self.prefix
        close, row = b"</" + p + b"sheetData>", b"<" + p + b"row"
        while True:
            end = buf.find(close)
            if end >= 0:
                yield buf[:end]
                self.scan.tail = buf[end + len(close) :] + self.raw.read()
                return
            chunk = self.raw.read(_CHUNK)
            if not chunk:
                raise Unsure("the sheet ends inside its rows")
            cut = buf.rfind(row)
            if cut > 0:
                yield buf[:cut]
                buf = buf[cut:]
            buf += chunk

    def head(self) -> bytes | None:
        """Up to `<sheetData>`: the root's tag and prefix; what follows, or None if no rows."""
        buf = b""
        while True:
            chunk = self.raw.read(_CHUNK)
            buf += chunk
            root = _ROOT.search(buf)
            start = root and re.compile(
                b"<" + re.escape(self.root_prefix(root)) + rb"sheetData\b[^>]*>"
            ).search(buf, root.end())
            if root and start:
                break
            if not chunk:
                raise Unsure("the sheet has no rows element where it should")
        if _BEFORE_ROOT.match(buf).end() != root.start():  # type: ignore[union-attr]
            raise Unsure("something comes before the worksheet's root")
        self.scan.root, self.scan.prefix = root[0], self.prefix
        if start[0].endswith(b"/>"):
            self.scan.tail = buf[start.end() :] + self.raw.read()
            return None
        return buf[start.end() :]

    def root_prefix(self, root: re.Match[bytes]) -> bytes:
        self.prefix = (root[1] + b":") if root[1] else b""
        if namespaces(root[0]).get(root[1] or b"") not in MAIN:
            raise Unsure("the worksheet's root is not in the spreadsheet namespace")
        return self.prefix

    # One piece of rows --------------------------------------------------------------------

    def piece(self, data: bytes) -> None:
        p = self.prefix
        if _has_markup(data, b"!") or _has_markup(data, b"?"):
            raise Unsure("comments, CDATA or processing instructions among the rows")
        self.rows(data)
        if self.wants is not None:  # how far right calamine's grid reaches
            wide = re.findall(b"<" + re.escape(p) + rb'c r="([A-Z]{2,3})\d', data)
            if wide:
                top = max(wide, key=lambda letters: (len(letters), letters))
                self.scan.width = max(self.scan.width, column_index(top.decode()) + 2)
        if b"<" + p + b"f" in data:
            self.formulas(data)
        if self.wants is not None:
            self.values(data, self.wants)

    def rows(self, data: bytes) -> None:
        p = re.escape(self.prefix)
        found = re.findall(b"<" + p + rb'row\b(?:[^>]*?\sr="(\d+)")?', data)
        if b"" in found:
            raise Unsure("a row without its number, or with it not first")
        numbers = list(map(int, found))
        if not numbers:
            return
        if numbers[0] <= self.last or not all(map(operator.lt, numbers, numbers[1:])):
            raise Unsure("rows out of order")  # openpyxl drops them, calamine keeps them
        self.scan.last_row = self.last = numbers[-1]
        values = [b"<" + self.prefix + b"v>", b"<" + self.prefix + b"is>"]
        first = min((at for at in map(data.find, values) if at >= 0), default=-1)
        if first >= 0:
            self.scan.first_value = self.scan.first_value or self.row_of(data, first)
            self.scan.last_value = self.row_of(data, max(map(data.rfind, values)))
        if b"hidden" in data:
            tags = re.findall(b"<" + p + rb'row\b([^>]*?\shidden="(?:1|true)"[^>]*)>', data)
            self.scan.hidden += [int(attributes(tag)[b"r"]) for tag in tags]

    def row_of(self, data: bytes, at: int) -> int:
        """The number of the row holding `at`."""
        start = data.rfind(b"<" + self.prefix + b"row", 0, at)
        found = re.compile(rb'[^>]*?\sr="(\d+)"').match(data, start + len(self.prefix) + 4)
        if start < 0 or found is None:
            raise Unsure("a value outside a numbered row")
        return int(found[1])

    def formulas(self, data: bytes) -> None:
        p = self.prefix
        for found in re.finditer(b"<" + re.escape(p) + rb"f[\s/>]", data):
            start, tag_end = self.cell_at(data, found.start())
            if tag_end != found.start():
                raise Unsure("a formula that is not its cell's first element")
            cell = parse_cell(attributes(data[start:tag_end]).get(b"r", b"").decode())
            f_end = data.index(b">", found.start()) + 1
            f_tag = data[found.start() : f_end]
            text = b""
            if not f_tag.endswith(b"/>"):
                text = data[f_end : data.index(b"</" + p + b"f>", f_end)]
            if cell is None:
                raise Unsure("a formula's cell has no reference")
            self.scan.formulas.append(Formula(cell, attributes(f_tag), _text(text)))

    # Cells read as openpyxl reads them ----------------------------------------------------

    def values(self, data: bytes, wants: Wants) -> None:
        p = re.escape(self.prefix)
        if wants.formatted:
            self.formatted(data, wants)
        if b' t="e"' in data:  # (an ISO date, t="d", calamine gives as a date: see xlsxcells)
            for found in re.finditer(rb' t="e"', data):
                self.exact(data, found.start(), wants.reader)
        if b"inlineStr" in data:
            for pattern in (
                rb"_x00",
                b"<" + p + rb"r(?:>|Ph\b)",  # rich text, phonetic runs
                # Text calamine trims: at the edge of a <t> that does not preserve spaces.
                b"<" + p + rb't(?:>(?:[\s&]|[^<]*[\s;]</)|\s(?!xml:space="preserve">))',
            ):
                for found in re.finditer(pattern, data):
                    self.exact(data, found.start(), wants.reader)
        if wants.risky and b' t="s"' in data:
            self.strings(data, wants)

    def formatted(self, data: bytes, wants: Wants) -> None:
        """The cells in formatted styles. A style is nearly always one column's (dates, postcodes),
        so each (column, style) met is read with one search for it, and the count of the
        style's attributes says whether some were missed; those are read one by one."""
        styles = b"|".join(str(s).encode() for s in sorted(wants.formatted, reverse=True))
        counts = Counter(re.findall(rb' s="(' + styles + rb')"', data))
        done: Counter[bytes] = Counter()
        seen: set[tuple[bytes, bytes]] = set()
        for style, count in counts.items():
            attribute = b' s="' + style + b'"'
            at = data.find(attribute)
            while done[style] < count and at >= 0:
                letters = self.letters_at(data, at)
                if letters is not None and (letters, style) not in seen:
                    if len(seen) >= _COLUMN_SEARCHES:
                        raise Unsure("formatted styles spread over too many columns")
                    seen.add((letters, style))
                    done[style] += self.column(data, letters, style, wants.reader)
                elif letters is None:  # a row's style, or a cell spelt otherwise
                    done[style] += self.unusual(data, at, wants.reader)
                at = data.find(attribute, at + len(attribute))
            if done[style] != count:
                raise Unsure("a formatted style's cells could not all be told apart")

    def letters_at(self, data: bytes, at: int) -> bytes | None:
        """The column of the cell whose `s` attribute is at `at`, when spelt the common way."""
        opening = b"<" + self.prefix + b'c r="'
        start = data.rfind(opening, max(0, at - 40), at)
        close = data.find(b'"', start + len(opening), at) if start >= 0 else -1
        between = data[close + 1 : at]
        if close < 0 or (between and not _TYPE.fullmatch(between)):
            return None
        return data[start + len(opening) : close].rstrip(b"0123456789") or None

    def column(self, data: bytes, letters: bytes, style: bytes, reader: CellReader) -> int:
        """Read the cells of column `letters` in `style`; how many there are."""
        p = re.escape(self.prefix)
        found = re.findall(
            b"<"
            + p
            + b'c r="'
            + letters
            + rb'(\d{1,7})"(?: t="(\w+)")? s="'
            + style
            + rb'"(?: t="(\w+)")?((?:\s[\w:]+="[^"]*")*)\s*(/?)>'
            rb"(?:<" + p + rb"v>([^<]*)</" + p + rb"v></" + p + rb"c>)?",
            data,
        )
        col, texts, key = column_index(letters.decode()), self.scan.texts, int(style)
        memo = reader.memo.setdefault(key, {})
        for row, before, after, _, empty, raw in found:
            kind = before or after
            if empty or kind in _FORMAT_FREE:
                continue  # an empty cell; or text, a boolean: no format changes them
            if raw and kind in (b"", b"n"):
                text = memo.get(raw)
                texts[(int(row), col)] = text if text is not None else reader.number(key, raw)
            elif raw is not None and not raw:
                continue
            else:  # a formula, an error, another spelling
                ref = b"<" + self.prefix + b'c r="' + letters + row + b'"'
                self.exact(data, data.index(ref), reader)
        return len(found)

    def unusual(self, data: bytes, at: int, reader: CellReader) -> int:
        """A formatted style's attribute where the common spelling is not: a cell spelt
        otherwise is read as openpyxl reads it; a row's style formats no cell."""
        start = data.rfind(b"<", 0, at)
        if data.startswith(b"<" + self.prefix + b"row", start):
            return 1
        if not data.startswith(b"<" + self.prefix + b"c ", start):
            raise Unsure("a style attribute outside a cell or row")
        self.exact(data, at, reader)
        return 1

    def strings(self, data: bytes, wants: Wants) -> None:
        p = re.escape(self.prefix)
        pattern = b' t="s"(?:\\s[\\w:]+="[^"]*")*><' + p + rb"v>(\d+)</" + p + b"v>"
        found = list(re.finditer(pattern, data))
        if len(found) != data.count(b' t="s"'):
            raise Unsure("a shared string cell spelt in an unusual way")
        for match in found:
            if int(match[1]) in wants.risky:
                self.exact(data, match.start(), wants.reader)

    def exact(self, data: bytes, pos: int, reader: CellReader) -> None:
        """The cell around `pos`, read as openpyxl reads it."""
        start, tag_end = self.cell_at(data, pos)
        ref = parse_cell(attributes(data[start:tag_end]).get(b"r", b"").decode())
        if ref is None:
            raise Unsure("a cell without a reference")
        xml = data[start : _cell_end(data, start, self.prefix)]
        self.scan.texts[ref] = reader.cell(self.scan.root, xml)

    def cell_at(self, data: bytes, pos: int) -> tuple[int, int]:
        """Where the `<c>` element holding `pos` starts, and where its start tag ends."""
        opening = b"<" + self.prefix + b"c "
        start = data.rfind(opening, 0, pos + len(opening))  # one starting at `pos` too
        closed = data.rfind(b"</" + self.prefix + b"c>", 0, pos)
        if start < 0 or closed > start:
            raise Unsure("markup found outside a cell")
        end = data.index(b">", start) + 1
        if data[end - 2 : end] == b"/>" and end <= pos:
            raise Unsure("markup found outside a cell")
        return start, end


def _has_markup(data: bytes, char: bytes) -> bool:
    """Whether `<` followed by `char` is in `data`: the byte alone is searched first (a
    one-byte search is several times faster), then its occurrences, or if many the pair."""
    at = data.find(char)
    for _ in range(64):
        if at < 0:
            return False
        if at and data[at - 1] == 0x3C:  # "<"
            return True
        at = data.find(char, at + 1)
    return b"<" + char in data


def _cell_end(data: bytes, start: int, prefix: bytes) -> int:
    end = data.index(b">", start) + 1
    if data[end - 2 : end] == b"/>":
        return end
    close = b"</" + prefix + b"c>"
    return data.index(close, end) + len(close)


def _text(raw: bytes) -> str:
    return text_of(raw) if b"&" in raw else raw.decode("utf-8")
