"""Writing the report's cells with openpyxl: values made safe for Excel, bold headers, widths
that fit, frozen headers and filters on the lists."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
SECTION = Font(bold=True, size=12)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
WIDEST = 60  # a column fits its longest value up to this many characters
LINE_HEIGHT = 15  # points: a line of 11-point text
EXCEL_CELL_LIMIT = 32_767


def value(raw: Any) -> Any:
    """A value as a cell takes it: pandas' gaps as empty cells, numpy numbers as Python's,
    text without the control characters Excel refuses and within its cell limit."""
    if raw is None or (pd.api.types.is_scalar(raw) and pd.isna(raw)):
        return None
    if isinstance(raw, pd.Timestamp):
        return raw.to_pydatetime()
    if hasattr(raw, "item"):  # a numpy scalar
        return raw.item()
    if isinstance(raw, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", raw)[:EXCEL_CELL_LIMIT]
    return raw


def put(ws: Worksheet, row: int, column: int, raw: Any) -> None:
    """One cell. Text is always text: a message starting with '=' is not a formula (openpyxl
    would take it for one, and Excel would run it)."""
    cell = ws.cell(row, column, value(raw))
    if cell.data_type == "f":
        cell.data_type = "s"
    if isinstance(cell.value, datetime):
        cell.number_format = DATETIME
    elif isinstance(cell.value, date):
        cell.number_format = DATE


def landscape(ws: Worksheet, pages: int = 0) -> None:
    """Printed (and converted to PDF) across, as wide as a page: a table's columns together;
    `pages` down at most (0: as many as it takes)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages
    ws.sheet_properties.pageSetUpPr.fitToPage = True


class Widths:
    """Each column's width, from the longest value written to it (up to WIDEST)."""

    def __init__(self) -> None:
        self.chars: dict[int, int] = {}

    def see(self, column: int, raw: Any) -> None:
        shown = value(raw)
        if shown is None:
            return
        if isinstance(shown, datetime):
            length = len("2026-01-15 09:00") + 2  # Excel draws dates a little wider than text
        else:
            length = max((len(line) for line in str(shown).splitlines()), default=0)
        self.chars[column] = max(self.chars.get(column, 0), length)

    def apply(self, ws: Worksheet) -> None:
        for column, chars in self.chars.items():
            ws.column_dimensions[get_column_letter(column)].width = min(chars + 2, WIDEST)


def header(ws: Worksheet, row: int, names: Sequence[str], widths: Widths) -> None:
    for column, name in enumerate(names, start=1):
        put(ws, row, column, name)
        cell = ws.cell(row, column)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        widths.see(column, name)


def listing(ws: Worksheet, frame: pd.DataFrame, *, wrap: Mapping[str, int] = {}) -> None:
    """A list sheet: the frame with a bold header that stays in view, a filter over it, widths
    that fit, the long-text columns (`wrap`: name -> width) wrapped, and links clickable."""
    widths = Widths()
    names = [str(name) for name in frame.columns]
    header(ws, 1, names, widths)
    wide = {names.index(name) + 1: width for name, width in wrap.items() if name in names}
    link = names.index("profile") + 1 if "profile" in names else None
    for r, record in enumerate(frame.itertuples(index=False), start=2):
        lines = 1
        for c, raw in enumerate(record, start=1):
            put(ws, r, c, raw)
            cell = ws.cell(r, c)
            cell.alignment = WRAP if c in wide else TOP
            if c in wide:
                lines = max(lines, _lines(cell.value, wide[c]))
            else:
                widths.see(c, raw)
            if c == link and cell.value:
                cell.hyperlink = str(cell.value)
                cell.font = LINK
        if lines > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text written by a program
            # until it is edited: give it the height its lines take.
            ws.row_dimensions[r].height = lines * LINE_HEIGHT
    widths.apply(ws)
    for c, width in wide.items():
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    landscape(ws)
    last = get_column_letter(max(len(names), 1))
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"


def _lines(text: object, width: int) -> int:
    """About the lines `text` wraps to in a column `width` characters wide."""
    return sum(max(math.ceil(len(line) / width), 1) for line in str(text or "").split("\n"))
