"""The cells a write of the status columns makes: new header cells and rows' texts, and how
they look. What the streaming rewrite (sheetstream) and the formula guard work from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .look import Styler
from .refs import Area
from .rowpatch import Restyle


@dataclass(frozen=True)
class Writes:
    """The cells the runner writes: new header cells (column -> text) and rows' texts, and how
    they look (None: each keeps or takes the style the sheet gives it)."""

    header_row: int
    header: Mapping[int, str]
    columns: tuple[int, ...]
    values: Mapping[int, Sequence[str]]
    look: Styler | None = None
    # Every row is numbered and in order, as the sheet's reader found: those not written may
    # be copied unread. (Else each is read, and one out of order is damage.)
    rows_in_order: bool = False

    def row(self, number: int) -> dict[int, str]:
        if number == self.header_row:
            return dict(self.header)
        return dict(zip(self.columns, self.values[number], strict=True))

    def restyle(self, number: int) -> Restyle:
        if self.look is None:
            return lambda col, text, style: style
        return self.look.header if number == self.header_row else self.look.cell

    def numbers(self) -> list[int]:
        return sorted({*self.values, *([self.header_row] if self.header else [])})

    def holds(self, row: int, col: int) -> bool:
        if row == self.header_row:
            return col in self.header
        return row in self.values and col in self.columns

    def covers(self, area: Area) -> bool:
        return all(
            self.holds(row, col)
            for row in range(area.row1, area.row2 + 1)
            for col in range(area.col1, area.col2 + 1)
        )

    def area(self) -> Area | None:
        """What a `<dimension>` must cover: every cell given text."""
        rows = [number for number, texts in self.values.items() if any(texts)]
        cols = {
            col
            for texts in self.values.values()
            for col, text in zip(self.columns, texts, strict=True)
            if text
        }
        if self.header:
            rows.append(self.header_row)
            cols.update(self.header)
        if not rows:
            return None
        return Area(min(cols), min(rows), max(cols), max(rows))
