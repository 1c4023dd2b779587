"""How the runner's columns look in a workbook: each status in its colour, a bold header, widths.

Only cells the runner writes are styled, and only by their `s`: a status cell takes the colours
of its status (Excel's own "Good", "Bad" and "Neutral" cell styles, and a grey), a header cell
the runner adds is bolded, the other cells keep the style the writer gives them (their own, or
their row's or column's). Each colour is laid over the format the cell would have anyway, so a
status column the user formatted (a font, borders, alignment) keeps that format. A runner's
column the sheet gives no width (no `<col>` covers it) gets one that fits what it usually holds
(see cols); a width the sheet has, the user's or one an earlier write set, is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..status import Status
from .statuscols import STATUS_COLUMNS
from .stylesheet import Format, Stylesheet


@dataclass(frozen=True)
class Swatch:
    """A status's colours, as ARGB hex: the cell's fill and its text."""

    fill: str
    font: str


_GOOD = Swatch("FFC6EFCE", "FF006100")
_BAD = Swatch("FFFFC7CE", "FF9C0006")
_NEUTRAL = Swatch("FFFFEB9C", "FF9C5700")  # amber: waiting to be sent
_GREY = Swatch("FFD9D9D9", "FF3F3F3F")  # nothing to send, and never will be
SWATCHES: Mapping[str, Swatch] = {
    Status.SENT: _GOOD,
    Status.FAILED: _BAD,
    Status.UNKNOWN: _BAD,
    Status.PENDING: _NEUTRAL,
    Status.INVALID: _GREY,
    Status.DUPLICATE: _GREY,
    Status.SKIPPED: _GREY,
}
# Characters, as Excel measures a width: any status; most reasons; "2026-01-15T09:00:00Z"; the
# start of a member URN, which no one reads whole; a public ID and its check; a message's
# first line, enough to know it by (the cell holds all of it).
_WIDTHS = {
    "status": 11,
    "status_detail": 40,
    "sent_at": 21,
    "recipient_urn": 30,
    "status_for": 28,
    "message_sent": 50,
}


@dataclass(frozen=True)
class Look:
    """How a block of columns looks: block column `coloured` takes its status's colours, and
    block column i is `widths[i]` wide where the sheet sets no width."""

    coloured: int
    widths: tuple[float, ...]


def look_of(names: tuple[str, ...]) -> Look:
    """How the runner's columns `names` (see statuscols.runner_columns) look."""
    return Look(names.index("status"), tuple(_WIDTHS[name] for name in names))


STATUS_LOOK = look_of(STATUS_COLUMNS)


class Styler:
    """The `s` of each cell the runner writes, its formats added to `sheet` as needed;
    `columns` are the block's 0-based columns, in `look`'s order."""

    def __init__(self, sheet: Stylesheet, look: Look, columns: tuple[int, ...]) -> None:
        self.sheet = sheet
        self.coloured = columns[look.coloured]
        self.widths = dict(zip(columns, look.widths, strict=True))

    def header(self, col: int, text: str, style: bytes | None) -> bytes | None:
        """A header cell the runner adds: `style` (the one beside it), bold."""
        return self._laid_over(style, Format(bold=True))

    def cell(self, col: int, text: str, style: bytes | None) -> bytes | None:
        """A cell of a data row: a status cell in its status's colours, others as they are."""
        swatch = SWATCHES.get(text) if col == self.coloured else None
        if swatch is None:  # not a status column, or a status the runner does not write
            return style
        return self._laid_over(style, Format(colour=swatch.font, fill=swatch.fill))

    def _laid_over(self, style: bytes | None, fmt: Format) -> bytes | None:
        base = int(style) if style is not None and style.isdigit() else 0
        index = self.sheet.index(base, fmt)
        return None if style is None and index == 0 else str(index).encode()
