"""Each cell style's number format, read from the workbook's styles as openpyxl reads them.

calamine gives a cell's value but not its style, and decides for itself which formats are
dates; the text the runner shows has always been openpyxl's. So the styles part is read with
openpyxl's own stylesheet reader (its format ids rebased, its date and duration formats), and a
number in a style whose format is not General is read again from the sheet's XML (see cellxml)
the way openpyxl reads it. A workbook whose styles openpyxl would fail on, or read in a way a
cell's style index cannot reproduce, raises Unsure: openpyxl then reads the whole sheet.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
from openpyxl.xml.functions import fromstring

from .package import MAIN, Package

# Where openpyxl and calamine both look for the styles, whatever the relationships say.
STYLES_PART = "xl/styles.xml"


class Unsure(Exception):
    """calamine's values cannot be shown to give openpyxl's text for this sheet."""


@dataclass(frozen=True)
class Formats:
    """`codes[i]`: the number format of cell style `i`; `dates`/`durations`: the styles whose
    numbers openpyxl reads as dates/times or as durations; `epoch`: the workbook's day 0."""

    codes: tuple[str, ...]
    dates: frozenset[int]
    durations: frozenset[int]
    epoch: datetime

    def formatted(self) -> frozenset[int]:
        """The styles whose numbers do not read as General: they are read from the XML."""
        return frozenset(i for i, code in enumerate(self.codes) if code != "General") | self.dates

    def code(self, style: int) -> str:
        if not 0 <= style < len(self.codes):
            raise Unsure(f"a cell has style {style}, which the styles part does not define")
        return self.codes[style]


def book_formats(package: Package) -> Formats:
    """The number formats of `package`'s cell styles, and its date system."""
    epoch = CALENDAR_MAC_1904 if _date1904(package) else CALENDAR_WINDOWS_1900
    entry = package.parts.get(STYLES_PART)  # openpyxl reads this exact name, or no styles
    if entry is None:
        return Formats(("General",), frozenset(), frozenset(), epoch)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # openpyxl knows the transitional namespace only; a strict part reads the same.
            xml = package.zip.read(entry).replace(MAIN[1].encode(), MAIN[0].encode())
            sheet = Stylesheet.from_tree(fromstring(xml))
    except Exception as err:  # noqa: BLE001 - openpyxl raises what its parser meets
        raise Unsure(f"openpyxl cannot read the styles ({type(err).__name__})") from err
    if not sheet.cell_styles:  # openpyxl then keeps its own single default style
        return Formats(("General",), frozenset(), frozenset(), epoch)
    customs = sheet.number_formats
    codes = []
    for style in sheet.cell_styles:
        number = style.numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            codes.append(BUILTIN_FORMATS.get(number, "General"))
        elif number - BUILTIN_FORMATS_MAX_SIZE < len(customs):
            codes.append(customs[number - BUILTIN_FORMATS_MAX_SIZE])
        else:  # a format id the styles never define: openpyxl fails on such a cell
            raise Unsure(f"a cell style has the undefined number format {number}")
    return Formats(
        tuple(codes), frozenset(sheet.date_formats), frozenset(sheet.timedelta_formats), epoch
    )


def _date1904(package: Package) -> bool:
    """Whether the workbook counts days from 1904, read as openpyxl reads `date1904`."""
    root = package.xml(package.workbook)
    found = next((f for ns in MAIN if (f := root.find(f"{{{ns}}}workbookPr")) is not None), None)
    value = found.get("date1904") if found is not None else None
    return value is not None and value not in ("false", "f", "0", "")
