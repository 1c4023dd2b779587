"""The formulas a status write would break, found as the worksheet streams past (see
sheetstream): a status cell inside an array formula's range (a dynamic array's spill too), or
the first cell of a shared formula that cells outside the write copy. Either stops the write
with a SheetError that says which formula to move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import SheetError
from .refs import Area, cell_name, parse_area
from .xmlscan import attributes, local, text_of, tokens

if TYPE_CHECKING:
    from .writes import Writes


class FormulaGuard:
    """`arrays`: the array formulas met so far whose range reaches the columns written."""

    def __init__(self, writes: Writes, name: str) -> None:
        self.writes, self.name = writes, name
        self.arrays: list[tuple[Area, str]] = []

    def note_arrays(self, row: bytes, number: int) -> None:
        columns = set(self.writes.columns) | set(self.writes.header)
        col = -1
        for token in tokens(row, 0, f"row {number}"):
            name = token["name"]
            if name is None:
                continue
            attrs = attributes(token[0])
            if local(name) == b"c":
                ref = parse_area(text_of(attrs.get(b"r", b"")))
                col = ref.col1 if ref else col + 1
            elif local(name) == b"f" and attrs.get(b"t") == b"array":
                area = parse_area(text_of(attrs.get(b"ref", b"")))
                if area and any(area.col1 <= c <= area.col2 for c in columns):
                    self.arrays.append((area, cell_name(number, col)))

    def check_arrays(self, number: int, writes: Mapping[int, str]) -> None:
        self.arrays = [(area, cell) for area, cell in self.arrays if area.row2 >= number]
        for area, cell in self.arrays:
            if area.row1 <= number and not self.writes.covers(area):
                col = next((c for c in sorted(writes) if area.holds(number, c)), None)
                if col is not None:
                    raise SheetError(
                        f"{self.name}: row {number}: cell {cell_name(number, col)} holds part "
                        f"of the result of the formula in {cell} ({area}); move that formula "
                        "out of the status columns so the status can be written there"
                    )

    def check_shared(self, number: int, col: int, formula: bytes) -> None:
        attrs = attributes(formula)
        area = parse_area(text_of(attrs.get(b"ref", b"")))
        if attrs.get(b"t") == b"shared" and area and not self.writes.covers(area):
            raise SheetError(
                f"{self.name}: row {number}: cell {cell_name(number, col)} holds a formula "
                f"that other cells in {area} copy; clear those formulas (or move them out of "
                "the status columns) so the status can be written there"
            )
