"""What a worksheet says besides its cell values: hidden rows, links, Tables and the filter.

Read from the byte scan of the rows (see sheetscan) and the XML after them, so memory holds
the facts found and not the sheet. A sheet the scan does not trust (rows or cells without
their `r`, comments or CDATA among the rows) is parsed instead, element by element, each row
dropped once read.

- Hidden rows are told apart by why they are hidden: a row inside a filter that has criteria
  (the sheet's `<autoFilter>` or a Table's) is hidden by the filter; any other by hand.
- Links: a cell hyperlink (`<hyperlink ref r:id>`) to an external target; and a
  `HYPERLINK("url", ...)` formula whose first argument is a string. One whose URL is computed
  (`"https://x/in/"&B2`) is listed as unresolved rather than guessed. A link within the workbook
  (`location` only) is not a URL and is left out. A cell with both kinds takes the hyperlink's,
  which is what a click in Excel opens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from .cellformats import Unsure
from .grid import unreadable_file
from .package import RELS, ZIP_ERRORS, Package, Relationship, SheetPart, tags
from .refs import Area, column_index, parse_area, parse_cell
from .sheetscan import Scan, row_pieces, scan_sheet
from .tables import TablePart, has_criteria, sheet_tables

# The first argument a string literal ("" is a quote inside it); then the next argument or ")".
_HYPERLINK = re.compile(r'=?\s*(?:_xlfn\.)?HYPERLINK\s*\(\s*"((?:[^"]|"")*)"\s*[,)]', re.I)
_MENTIONS_HYPERLINK = re.compile(r"HYPERLINK\s*\(", re.I)
_ROW, _CELL, _FORMULA = tags("row"), tags("c"), tags("f")
_HYPERLINK_TAG, _AUTOFILTER, _SHEET = tags("hyperlink"), tags("autoFilter"), tags("worksheet")
_TRUE = ("1", "true")

Cell = tuple[int, int]  # (row 1-based, column 0-based)
Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class SheetFacts:
    """`filtered_rows`: hidden by a filter; `hidden_rows`: hidden by hand. `links`: the URL of
    each linked cell; `unresolved_links`: cells whose HYPERLINK formula computes its URL, with
    the formula. `tables`: the Excel Tables on the sheet; `autofilter`: the sheet's own filter."""

    title: str
    filtered_rows: frozenset[int]
    hidden_rows: frozenset[int]
    links: Mapping[Cell, str]
    unresolved_links: Mapping[Cell, str]
    tables: tuple[TablePart, ...]
    autofilter: Area | None


def read_facts(path: Path, sheet_name: str | None) -> SheetFacts:
    """The facts of worksheet `sheet_name` (None: the first visible one) of workbook `path`."""
    with Package(Path(path)) as package:
        sheet = package.sheet(sheet_name)
        opener = sheet_opener(package, sheet)
        try:
            scan = guarded(package, sheet, lambda: _scan(opener))
        except Unsure:
            return parsed_facts(package, sheet)
        return scanned_facts(package, sheet, scan, opener)


def sheet_opener(package: Package, sheet: SheetPart) -> Opener:
    entry = package.part_name(sheet.part)
    assert entry is not None  # Package found it when it listed the sheets
    return lambda: package.zip.open(entry)


def guarded(package: Package, sheet: SheetPart, read: Callable[[], Any]) -> Any:
    """`read()`, what goes wrong reading the sheet's part a SheetError naming the file."""
    try:
        return read()
    except etree.XMLSyntaxError as err:
        raise package.damaged(f"{sheet.part} is not well-formed XML: {err}") from err
    except (*ZIP_ERRORS, ValueError) as err:  # ValueError: what _Parse raises itself
        raise package.damaged(f"{sheet.part}: {err}") from err
    except OSError as err:
        raise unreadable_file(package.path, err) from err


def scanned_facts(
    package: Package, sheet: SheetPart, scan: Scan, opener: Opener, known_col: int = -1
) -> SheetFacts:
    """The facts from `scan`. Links over several cells cover only the rows and columns the
    sheet uses: `known_col` is a column some cell is known to reach; when a link goes beyond
    it, the sheet is read again for its last column (only then: it costs a pass)."""
    links = _Links(package.rels(sheet.part))
    for formula in scan.formulas:
        kind, si = formula.attrs.get(b"t"), formula.attrs.get(b"si")
        links.formula(
            formula.text,
            kind.decode() if kind is not None else None,
            si.decode() if si is not None else None,
            formula.cell,
        )
    tail = _Tail()
    guarded(
        package,
        sheet,
        lambda: tail.feed(scan.root + b"<" + scan.prefix + b"sheetData/>", scan.tail),
    )
    areas = [a for a in (parse_area(ref) for ref, _, _ in tail.hyperlinks) if a]
    last_col = known_col
    if any(area.col2 > known_col for area in areas):
        last_col = guarded(package, sheet, lambda: _last_column(opener, scan.prefix))
    for ref, rid, location in tail.hyperlinks:
        links.hyperlink(ref, rid, location, scan.last_row, last_col)
    return _facts(
        sheet.title,
        sheet_tables(package, sheet.part),
        scan.hidden,
        tail.autofilter,
        tail.filtered,
        links,
    )


def parsed_facts(package: Package, sheet: SheetPart) -> SheetFacts:
    """The facts of a sheet the byte scan does not trust, from a parse of every element."""
    parse = _Parse(package.rels(sheet.part))
    guarded(package, sheet, lambda: _run(sheet_opener(package, sheet), parse))
    return _facts(
        sheet.title,
        sheet_tables(package, sheet.part),
        parse.hidden,
        parse.autofilter,
        parse.filtered,
        parse.links,
    )


def _scan(opener: Opener) -> Scan:
    with opener() as stream:
        return scan_sheet(stream, None)


def _run(opener: Opener, parse: _Parse) -> None:
    with opener() as stream:
        parse.run(stream)


def _facts(
    title: str,
    tables: tuple[TablePart, ...],
    hidden: Iterable[int],
    autofilter: Area | None,
    filtered: bool,
    links: _Links,
) -> SheetFacts:
    ranges = [t.filter_ref for t in tables if t.filtered and t.filter_ref]
    if filtered and autofilter:
        ranges.append(autofilter)
    rows = frozenset(hidden)
    by_filter = frozenset(row for row in rows if any(a.row1 < row <= a.row2 for a in ranges))
    return SheetFacts(
        title=title,
        filtered_rows=by_filter,
        hidden_rows=rows - by_filter,
        links={**links.formula_links, **links.links},
        unresolved_links={c: f for c, f in links.unresolved.items() if c not in links.links},
        tables=tables,
        autofilter=autofilter,
    )


def _last_column(opener: Opener, prefix: bytes) -> int:
    """The rightmost column any cell of the sheet is in (-1 for none)."""
    pattern = re.compile(b"<" + re.escape(prefix) + rb'c r="([A-Z]{1,3})\d')
    top = b""
    with opener() as stream:
        for data in row_pieces(stream):
            found = pattern.findall(data)
            if found:
                top = max(top, *found, key=lambda letters: (len(letters), letters))
    return column_index(top.decode()) if top else -1


class _Links:
    """The links found: hyperlinks by cell, HYPERLINK formulas (and those computing a URL)."""

    def __init__(self, rels: Mapping[str, Relationship]) -> None:
        self.rels = rels
        self.links: dict[Cell, str] = {}
        self.formula_links: dict[Cell, str] = {}
        self.unresolved: dict[Cell, str] = {}
        self.shared: dict[str, tuple[str | None, str]] = {}  # si -> (URL, formula) of a group

    def formula(self, text: str, kind: str | None, si: str | None, cell: Cell) -> None:
        if kind == "shared" and si is not None:
            if text:
                self.shared[si] = (_literal_url(text), text)
            url, text = self.shared.get(si, (None, ""))
        else:
            url = _literal_url(text)
        if url is not None:
            self.formula_links[cell] = url
        elif _MENTIONS_HYPERLINK.search(text):
            self.unresolved[cell] = text

    def hyperlink(
        self, ref: str, rid: str | None, location: str | None, last_row: int, last_col: int
    ) -> None:
        area = parse_area(ref)
        rel = self.rels.get(rid or "")
        if area is None or rel is None or not rel.external:
            return  # a link to a place in the workbook has no URL
        url = rel.target + (f"#{location}" if location else "")
        # A link over a whole column covers only the rows and columns the sheet uses.
        for row in range(area.row1, min(area.row2, last_row) + 1):
            for col in range(area.col1, min(area.col2, last_col) + 1):
                self.links[(row, col)] = url


class _Tail:
    """The sheet's XML after its rows: the hyperlinks and the sheet's own filter."""

    def __init__(self) -> None:
        self.hyperlinks: list[tuple[str, str | None, str | None]] = []
        self.autofilter: Area | None = None
        self.filtered = False

    def feed(self, head: bytes, tail: bytes) -> None:
        """`head`: the root's start tag and an empty `<sheetData/>` standing for the rows."""
        parser = etree.XMLPullParser(
            events=("end",), resolve_entities=False, no_network=True, huge_tree=True
        )
        parser.feed(head)
        for start in range(0, len(tail), 1 << 20):
            parser.feed(tail[start : start + (1 << 20)])
            self.read(parser.read_events())
        parser.close()
        self.read(parser.read_events())

    def read(self, events: Iterable[tuple[str, Any]]) -> None:
        for _, element in events:
            parent = element.getparent()
            if element.tag in _HYPERLINK_TAG:
                rid = next(
                    (element.get(f"{{{ns}}}id") for ns in RELS if element.get(f"{{{ns}}}id")), None
                )
                self.hyperlinks.append((element.get("ref", ""), rid, element.get("location")))
            elif element.tag in _AUTOFILTER and parent is not None and parent.tag in _SHEET:
                self.autofilter = parse_area(element.get("ref", ""))
                self.filtered = has_criteria(element)
            # Drop a link once read, and each part of the sheet: memory holds neither.
            if parent is not None and (element.tag in _HYPERLINK_TAG or parent.tag in _SHEET):
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]


class _Parse:
    """The facts from a parse of the whole sheet, each row dropped once read."""

    def __init__(self, rels: Mapping[str, Relationship]) -> None:
        self.links = _Links(rels)
        self.hidden: set[int] = set()
        self.autofilter: Area | None = None
        self.filtered = False
        self.last_row = 0
        self.last_col = -1

    def run(self, stream: Any) -> None:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=(*_ROW, *_HYPERLINK_TAG, *_AUTOFILTER),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        for _, element in events:
            parent = element.getparent()
            if element.tag in _ROW:
                self.row(element)
            elif element.tag in _HYPERLINK_TAG:
                rid = next(
                    (element.get(f"{{{ns}}}id") for ns in RELS if element.get(f"{{{ns}}}id")), None
                )
                self.links.hyperlink(
                    element.get("ref", ""),
                    rid,
                    element.get("location"),
                    self.last_row,
                    self.last_col,
                )
            elif parent is not None and parent.tag in _SHEET:  # not a custom view's filter
                self.autofilter = parse_area(element.get("ref", ""))
                self.filtered = has_criteria(element)
            # Drop what is read, and what came before it, so the tree never holds the sheet.
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
        if events.root is None or events.root.tag not in _SHEET:
            raise ValueError("it is not a worksheet")

    def row(self, row: Any) -> None:
        ref = row.get("r")
        number = int(ref) if ref and ref.isdigit() else self.last_row + 1
        self.last_row = number
        if row.get("hidden") in _TRUE:
            self.hidden.add(number)
        formulas = row.findall("./*/{*}f")
        if len(row):
            last = parse_cell(row[len(row) - 1].get("r") or "")
            self.last_col = max(self.last_col, last[1] if last else len(row) - 1)
        if formulas:
            columns = _columns(row)
            for formula in formulas:
                cell = formula.getparent()
                if cell.tag in _CELL:
                    text = formula.text or ""
                    self.links.formula(
                        text, formula.get("t"), formula.get("si"), (number, columns[cell])
                    )


def _columns(row: Any) -> dict[Any, int]:
    """Each cell's 0-based column: its `r`, or one right of the cell before it."""
    found = {}
    col = -1
    for cell in row.iterchildren(*_CELL):
        ref = parse_cell(cell.get("r") or "")
        col = ref[1] if ref else col + 1
        found[cell] = col
    return found


def _literal_url(formula: str) -> str | None:
    match = _HYPERLINK.match(formula)
    return match[1].replace('""', '"') if match else None
