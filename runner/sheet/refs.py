"""A1 cell references and ranges, as the workbook's XML writes them.

Columns are 0-based here (as `StatusBlock.columns` and the facts are), rows 1-based (as the user
sees them). `Area` is a rectangle of cells; a single cell "C5" is an area of one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_MAX_COL = 16383  # XFD, the last column Excel has
_MAX_ROW = 1048576


@dataclass(frozen=True)
class Area:
    """Cells from (`col1`, `row1`) to (`col2`, `row2`), both ends included."""

    col1: int
    row1: int
    col2: int
    row2: int

    def __str__(self) -> str:
        first, last = cell_name(self.row1, self.col1), cell_name(self.row2, self.col2)
        return first if first == last else f"{first}:{last}"

    def absolute(self) -> str:
        """As a defined name holds it: `$A$1:$D$51`."""
        first = f"${column_name(self.col1)}${self.row1}"
        last = f"${column_name(self.col2)}${self.row2}"
        return first if first == last else f"{first}:{last}"

    def holds(self, row: int, col: int) -> bool:
        return self.row1 <= row <= self.row2 and self.col1 <= col <= self.col2

    def overlaps(self, other: Area) -> bool:
        return not (
            other.col1 > self.col2
            or other.col2 < self.col1
            or other.row1 > self.row2
            or other.row2 < self.row1
        )

    def union(self, other: Area) -> Area:
        return Area(
            min(self.col1, other.col1),
            min(self.row1, other.row1),
            max(self.col2, other.col2),
            max(self.row2, other.row2),
        )


@lru_cache(maxsize=4096)
def column_name(col: int) -> str:
    """0 -> "A", 26 -> "AA"."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """ "A" -> 0, "aa" -> 26."""
    col = 0
    for char in letters.upper():
        col = col * 26 + ord(char) - 64
    return col - 1


def cell_name(row: int, col: int) -> str:
    return f"{column_name(col)}{row}"


def parse_cell(ref: str) -> tuple[int, int] | None:
    """ "C5" (or "$C$5") -> (5, 2): row, 0-based column; None when it is not a cell reference."""
    match = _CELL.fullmatch(ref.strip())
    if not match:
        return None
    row, col = int(match[2]), column_index(match[1])
    if not (1 <= row <= _MAX_ROW and 0 <= col <= _MAX_COL):
        return None
    return row, col


def parse_area(ref: str) -> Area | None:
    """ "A1:D51" or "C5" -> an Area; None when `ref` is not one rectangle (e.g. "A1 C3")."""
    first, _, last = ref.strip().partition(":")
    start = parse_cell(first)
    end = parse_cell(last) if last else start
    if start is None or end is None:
        return None
    return Area(
        min(start[1], end[1]), min(start[0], end[0]), max(start[1], end[1]), max(start[0], end[0])
    )
