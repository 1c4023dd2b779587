"""What a worksheet says besides its cell values: hidden rows, links, Tables and the filter.

Read in one streaming pass over the worksheet part (each row is dropped once read), so memory
holds the facts found and not the sheet.

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .grid import unreadable_file
from .package import RELS, ZIP_ERRORS, Package, Relationship, tags
from .refs import Area, parse_area, parse_cell
from .tables import TablePart, has_criteria, sheet_tables

# The first argument a string literal ("" is a quote inside it); then the next argument or ")".
_HYPERLINK = re.compile(r'=?\s*(?:_xlfn\.)?HYPERLINK\s*\(\s*"((?:[^"]|"")*)"\s*[,)]', re.I)
_MENTIONS_HYPERLINK = re.compile(r"HYPERLINK\s*\(", re.I)
_ROW, _CELL, _FORMULA = tags("row"), tags("c"), tags("f")
_HYPERLINK_TAG, _AUTOFILTER, _SHEET = tags("hyperlink"), tags("autoFilter"), tags("worksheet")
_TRUE = ("1", "true")

Cell = tuple[int, int]  # (row 1-based, column 0-based)


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
        tables = sheet_tables(package, sheet.part)
        scan = _Scan(package.rels(sheet.part))
        entry = package.part_name(sheet.part)
        assert entry is not None  # Package found it when it listed the sheets
        try:
            with package.zip.open(entry) as stream:
                scan.run(stream)
        except etree.XMLSyntaxError as err:
            raise package.damaged(f"{sheet.part} is not well-formed XML: {err}") from err
        except (*ZIP_ERRORS, ValueError) as err:  # ValueError: what _Scan raises itself
            raise package.damaged(f"{sheet.part}: {err}") from err
        except OSError as err:
            raise unreadable_file(package.path, err) from err
    ranges = [t.filter_ref for t in tables if t.filtered and t.filter_ref]
    if scan.filtered and scan.autofilter:
        ranges.append(scan.autofilter)
    by_filter = frozenset(row for row in scan.hidden if any(a.row1 < row <= a.row2 for a in ranges))
    return SheetFacts(
        title=sheet.title,
        filtered_rows=by_filter,
        hidden_rows=frozenset(scan.hidden) - by_filter,
        links={**scan.formula_links, **scan.links},
        unresolved_links={c: f for c, f in scan.unresolved.items() if c not in scan.links},
        tables=tables,
        autofilter=scan.autofilter,
    )


class _Scan:
    def __init__(self, rels: Mapping[str, Relationship]) -> None:
        self.rels = rels
        self.hidden: set[int] = set()
        self.links: dict[Cell, str] = {}
        self.formula_links: dict[Cell, str] = {}
        self.unresolved: dict[Cell, str] = {}
        self.shared: dict[str, tuple[str | None, str]] = {}  # si -> (URL, formula) of a group
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
                self.hyperlink(element)
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
                    self.formula(formula, (number, columns[cell]))

    def formula(self, formula: Any, cell: Cell) -> None:
        text = formula.text or ""
        si = formula.get("si")
        if formula.get("t") == "shared" and si is not None:
            if text:
                self.shared[si] = (_literal_url(text), text)
            url, text = self.shared.get(si, (None, ""))
        else:
            url = _literal_url(text)
        if url is not None:
            self.formula_links[cell] = url
        elif _MENTIONS_HYPERLINK.search(text):
            self.unresolved[cell] = text

    def hyperlink(self, link: Any) -> None:
        area = parse_area(link.get("ref", ""))
        rid = next((link.get(f"{{{ns}}}id") for ns in RELS if link.get(f"{{{ns}}}id")), None)
        rel = self.rels.get(rid or "")
        if area is None or rel is None or not rel.external:
            return  # a link to a place in the workbook has no URL
        url = rel.target + (f"#{link.get('location')}" if link.get("location") else "")
        # A link over a whole column covers only the rows and columns the sheet uses.
        for row in range(area.row1, min(area.row2, self.last_row) + 1):
            for col in range(area.col1, min(area.col2, self.last_col) + 1):
                self.links[(row, col)] = url


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
