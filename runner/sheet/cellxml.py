"""A cell's text from its XML, exactly as openpyxl reads it, for the cells calamine reads
differently (see xlsxcells): numbers in a format other than General (calamine decides dates
its own way and keeps no format), errors, ISO dates, and strings calamine trims or unescapes.

The common case, a plain number in a formatted style, is read here with openpyxl's own
conversions (`_cast_number`, `from_excel`) and remembered by style and digits, since a column
repeats them; any other cell is parsed and handed to openpyxl's own cell parser.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import timedelta

from lxml import etree
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number

from .cellformats import Formats, Unsure
from .numfmt import display_text, zero_pad
from .package import MAIN

# Digits int() reads whatever the interpreter's limit is set to (4,300 by default, 640 at the
# least): a longer number takes the general path, which raises Unsure as openpyxl fails on it.
_DIGITS = 640
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class CellReader:
    """Text of a workbook's cells; `strings` are its shared strings as openpyxl reads them."""

    def __init__(self, formats: Formats, strings: Sequence[str]) -> None:
        self.formats = formats
        self.strings = strings
        self.parser: WorkSheetParser | None = None
        self.memo: dict[int, dict[bytes, str]] = {}  # style -> digits -> text
        self.pads: dict[int, int] = {}  # style -> the width its format pads whole numbers to

    def number(self, style: int, raw: bytes) -> str:
        """A number cell's text: `<v>raw</v>` (ASCII digits, sign, point, exponent) in `style`."""
        memo = self.memo.setdefault(style, {})
        text = memo.get(raw)
        if text is None:
            pad = self.pads.get(style)
            if pad is None:
                dated = style in self.formats.dates
                pad = self.pads[style] = 0 if dated else zero_pad(self.formats.code(style))
            if pad and raw.isdigit() and len(raw) <= _DIGITS:
                text = str(int(raw)).zfill(pad)  # a postcode, an ID: what display_text makes
            else:
                text = display_text(self._number(style, raw), self.formats.code(style))
            memo[raw] = text
        return text

    def _number(self, style: int, raw: bytes) -> object:
        try:
            value = _cast_number(raw.decode("ascii"))
        except ValueError as err:  # openpyxl fails on such a cell
            raise Unsure(f"a number cell holds {raw[:20]!r}") from err
        if style not in self.formats.dates:
            return value
        durations = style in self.formats.durations
        try:
            if value.__class__ is int and value > 60 and not durations:
                # A whole day past 1900's false leap day: what from_excel makes of it, directly.
                return self.formats.epoch + timedelta(days=value)
            return from_excel(value, self.formats.epoch, timedelta=durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # what openpyxl makes of a date outside the calendar

    def cell(self, root: bytes, xml: bytes) -> str:
        """Any cell's text: `xml` is its whole `<c>` element as the sheet spells it, `root` the
        worksheet's start tag (which declares the namespaces it uses)."""
        # openpyxl knows the transitional namespace only; a strict sheet's cells read the same.
        root = root.replace(MAIN[1].encode(), MAIN[0].encode())
        close = b"</" + root[1:].split(None, 1)[0].rstrip(b">/") + b">"
        try:
            element = etree.fromstring(root + xml + close, _PARSER)[0]
        except etree.XMLSyntaxError as err:
            raise Unsure(f"a cell is not well-formed XML ({err})") from err
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = self._openpyxl().parse_cell(element)
        except (ValueError, TypeError, IndexError, KeyError) as err:
            raise Unsure(f"openpyxl fails on a cell ({type(err).__name__})") from err
        style = found["style_id"]
        if not isinstance(style, int):  # s="": openpyxl fails on the cell's format
            raise Unsure("a cell's style is empty")
        return display_text(found["value"], self.formats.code(style))

    def _openpyxl(self) -> WorkSheetParser:
        if self.parser is None:
            self.parser = WorkSheetParser(
                None,
                self.strings,
                data_only=True,
                epoch=self.formats.epoch,
                date_formats=self.formats.dates,
                timedelta_formats=self.formats.durations,
            )
        return self.parser
