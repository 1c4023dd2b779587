"""The calamine reader gives every cell the text the openpyxl reader gives it.

`read_cells_openpyxl` is how the runner read workbooks before calamine (and still does where
calamine cannot tell): its text is the measure. Each workbook here is read both ways and the
two grids compared cell for cell; the calamine reader must read it itself (no Unsure), except
where a test says it leaves the sheet to openpyxl.
"""

# The worksheets are XML written out as other programs write it; wrapping it to the line length
# would hide the shape the tests depend on.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet._reader import _cast_number

from runner.errors import SheetError
from runner.sheet import read_table
from runner.sheet.cellformats import Formats, Unsure
from runner.sheet.cellxml import CellReader
from runner.sheet.grid import make_table
from runner.sheet.numfmt import display_text
from runner.sheet.package import Package
from runner.sheet.xlsx import read_cells_openpyxl
from runner.sheet.xlsxcells import read_cells
from tests.support.excelbook import DECL, MAIN, minimal_book, read_parts, sheet_xml, write_package

SUPPORT = Path(__file__).resolve().parents[2] / "support"
CORPUS = sorted([*(SUPPORT / "workbooks").glob("*.xlsx"), *(SUPPORT / "values").glob("*.xlsx")])
# Sheets of the corpus the calamine reader leaves to openpyxl, and why.
OPENPYXL_READS = {
    ("inlineStr_cdata.xlsx", "Sheet1"): "CDATA among the rows",
    ("issue_261.xlsx", "Some Sheet"): "rows without their r",
}

Grid = dict[tuple[int, int], str]


def grid(lines: list[list[str]]) -> Grid:
    return {(r, c): text for r, line in enumerate(lines, 1) for c, text in enumerate(line) if text}


def both(path: Path, sheet: str | None = None) -> tuple[Grid, Grid]:
    """The sheet's cells read by openpyxl, and by calamine."""
    _, expected = read_cells_openpyxl(path, sheet)
    with Package(path) as package:
        lines, _ = read_cells(package, package.sheet(sheet))
    return grid(expected), grid(lines)


def assert_agree(path: Path, sheet: str | None = None) -> Grid:
    expected, got = both(path, sheet)
    assert got == expected
    return got


CASES: list[tuple[object, str]] = [
    (12345678, "General"),
    (12345678.0, "General"),
    (3.5, "General"),
    (0.1 + 0.2, "General"),
    (-2.0, "General"),
    (2**60 + 1, "General"),  # beyond a float's integers: openpyxl keeps every digit
    (1e20, "General"),
    (1234567, "00000000"),
    (501, "00000"),
    (123456789, "000-00-0000"),
    (42, "0"),
    (2.5, "0"),
    (3.14159, "0.00"),
    (-1234.5, "#,##0.00"),
    (1234567.891, "#,##0"),
    (0.256, "0%"),
    (0.2567, "0.00%"),
    (1234.5, '"$"#,##0.00'),
    (1234.5, "[$€-407] #,##0.00"),
    (-1234.5, '#,##0.00 "EUR";[Red]-#,##0.00 "EUR"'),
    (1234.5, "_-* #,##0.00 [$€-407]_-;-* #,##0.00 [$€-407]_-"),
    (5, "@"),
    ("00042", "@"),
    (1.5, "0.00E+00"),
    (0.5, "# ?/?"),
    (datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd"),
    (datetime(2024, 3, 5, 14, 7, 9), "m/d/yyyy h:mm AM/PM"),
    (datetime(2024, 3, 5, 14, 7, 9), "[$-409]mmmm d, yyyy;@"),
    (datetime(2024, 3, 5, 10, 29, 59, 999600), "yyyy-mm-dd hh:mm:ss"),
    (datetime(2024, 3, 5, 14, 7, 9, 500000), "hh:mm:ss.000"),
    (datetime(2024, 3, 5, 14, 7, 9), "General"),
    (date(2024, 3, 5), "mm-dd-yy"),
    (datetime(1900, 1, 15), "yyyy-mm-dd"),  # before Excel's 29 February 1900
    (datetime(1900, 3, 1), "yyyy-mm-dd"),
    (time(9, 5), "h:mm"),
    (time(21, 5, 30), "h:mm:ss AM/PM"),
    (timedelta(hours=30, minutes=5), "[h]:mm:ss"),
    (True, "General"),
    (False, "General"),
    (None, "General"),
    ("", "General"),
    ("  spaced  ", "General"),
    ("line\r\nbreak", "General"),
    ("literal _x000D_ text", "General"),
    ("tab\there", "General"),
    ("=1+1", "General"),  # openpyxl writes no cached value: both read it empty
    (CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold"), " end"]), "General"),
]


def test_a_workbook_of_every_kind_of_cell(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cells"
    sheet.append(["what", "cell"])
    for value, number_format in CASES:
        sheet.append([f"{value!r} as {number_format}", value])
        sheet.cell(sheet.max_row, 2).number_format = number_format
    sheet["D40"] = "beyond the rest"
    book.save(path)
    got = assert_agree(path)
    row = {repr(case): number for number, case in enumerate(CASES, start=2)}
    assert got[(row[repr((1234567, "00000000"))], 1)] == "01234567"  # a check on the check
    assert got[(row[repr((datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd"))], 1)] == "2024-03-05"


# The styles: 0 General, 1 dd/mm/yyyy (custom), 2 mm-dd-yy (14), 3 0.00% (10),
# 4 "00000" (custom), 5 [h]:mm:ss (46), 6 a custom format re-using a builtin's code,
# 7 a currency, 8 numFmtId 5 (undefined: General for openpyxl).
STYLES = (
    f'{DECL}<styleSheet xmlns="{MAIN}"><numFmts count="4">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="00000"/>'
    '<numFmt numFmtId="166" formatCode="0.00"/>'
    '<numFmt numFmtId="167" formatCode="&quot;$&quot;#,##0.00;[Red]\\-&quot;$&quot;#,##0.00"/>'
    '</numFmts><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="9"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="10"/>'
    '<xf numFmtId="165"/><xf numFmtId="46"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="5"/>'
    "</cellXfs></styleSheet>"
)
STRINGS = (
    "plain",
    "<t>  not preserved  </t>",
    '<t xml:space="preserve">  preserved  </t>',
    "<t>CR_x000D_LF</t>",
    "<t>escaped _x005F_x000D_ and x005F_</t>",
    "<r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>",
    "<r><t>run</t></r><t>plain after</t>",
    '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="0"/>',
    "<t>&#10;entity edge</t>",
    "<t/>",
)
ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>'
    '<c r="G1" t="s"><v>6</v></c><c r="H1" t="s"><v>7</v></c><c r="I1" t="s"><v>8</v></c>'
    '<c r="J1" t="s"><v>9</v></c></row>'
    '<row r="2"><c r="A2" s="1"><v>45292.75</v></c><c r="B2" s="2"><v>45292</v></c>'
    '<c r="C2" s="3"><v>0.12345</v></c><c r="D2" s="4"><v>1234</v></c><c r="E2" s="5"><v>1.25</v></c>'
    '<c r="F2" s="6"><v>2.005</v></c><c r="G2" s="7"><v>-1234.5</v></c><c r="H2" s="8"><v>7</v></c>'
    '<c r="I2" t="n" s="4"><v>77</v></c><c r="J2" s="4" t="n"><v>78</v></c></row>'
    '<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="e"><v>#DIV/0!</v></c>'
    '<c r="C3" s="2" t="e"><v>#REF!</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" t="b"><v>0</v></c>'
    '<c r="F3" t="d"><v>2021-01-02T03:04:05</v></c><c r="G3" s="2" t="d"><v>2021-01-02</v></c>'
    '<c r="H3" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="I3" s="1"><f>TODAY()</f><v>45300</v></c>'
    '<c r="J3"><f>1+1</f><v>2</v></c></row>'
    '<row r="4"><c r="A4"><v>12345678901234567890</v></c><c r="B4"><v>-9007199254740993</v></c>'
    '<c r="C4" s="4"><v>12345678901234567890</v></c><c r="D4" s="4"/><c r="E4" s="4"><v></v></c>'
    '<c r="F4" s="1" t="s"><v>0</v></c><c r="G4" t="inlineStr"><is><t> inline edge </t></is></c>'
    '<c r="H4" t="inlineStr"><is><t>inline _x000D_ code</t></is></c>'
    '<c r="I4" t="inlineStr"><is><r><t>inline </t></r><r><rPr><i/></rPr><t>rich</t></r></is></c>'
    '<c r="J4" t="inlineStr"><is><t xml:space="preserve"> kept </t></is></c></row>'
    '<row r="6" s="2" customFormat="1"><c r="A6" s="2"><v>1</v></c><c r="B6"><v>2</v></c>'
    '<c r="C6" s="1"><v>99999999</v></c><c r="D6" s="2"><v>-5</v></c><c r="E6" s="5"><v>-0.5</v></c></row>'
    '<row r="7"><c r="C7" t="s"><v>1</v></c><c r="D7" t="s"><v>3</v></c></row>'
)


def hand_made(path: Path, rows: str = ROWS, date1904: bool = False) -> None:
    """A workbook written part by part, with what openpyxl's writer never writes."""
    minimal_book(path, sheet_xml(rows))
    parts = read_parts(path)
    parts["xl/styles.xml"] = STYLES.encode()
    items = "".join(f"<si>{s if s.startswith('<') else f'<t>{s}</t>'}</si>" for s in STRINGS)
    parts["xl/sharedStrings.xml"] = (
        f'{DECL}<sst xmlns="{MAIN}" count="{len(STRINGS)}" uniqueCount="{len(STRINGS)}">{items}</sst>'
    ).encode()
    if date1904:
        book = parts["xl/workbook.xml"].decode()
        parts["xl/workbook.xml"] = book.replace(
            "<bookViews>", '<workbookPr date1904="1"/><bookViews>'
        ).encode()
    write_package(path, list(parts.items()))


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_what_other_writers_write(tmp_path: Path, date1904: bool) -> None:
    path = tmp_path / "hand.xlsx"
    hand_made(path, date1904=date1904)
    got = assert_agree(path)
    assert got[(1, 2)] == "  preserved  "
    assert got[(3, 0)] == "#N/A"
    assert got[(2, 3)] == "01234"
    assert got[(4, 0)] == "12345678901234567890"


def test_cells_keep_their_rows_and_columns_wherever_they_start(tmp_path: Path) -> None:
    # calamine's grid starts at the first row and column holding a value; the rows above and
    # the columns left of it, and a row far below, are where the sheet has them.
    path = tmp_path / "far.xlsx"
    rows = (
        '<row r="5"><c r="C5" t="s"><v>0</v></c><c r="D5" t="s"><v>1</v></c></row>'
        '<row r="6"><c r="C6" s="2"><v>45292</v></c><c r="D6" t="e"><v>#N/A</v></c></row>'
        '<row r="200000"><c r="D200000"><v>7</v></c></row>'
    )
    hand_made(path, rows)
    got = assert_agree(path)
    assert got == {
        (5, 2): "plain",
        (5, 3): "  not preserved  ",
        (6, 2): "01-01-24",
        (6, 3): "#N/A",
        (200000, 3): "7",
    }
    table = read_table(path, header_row=5)
    assert table.headers == ("", "", "plain", "  not preserved  ")
    assert [(r.number, r.cells) for r in table.rows] == [
        (6, ("", "", "01-01-24", "#N/A")),
        (200000, ("", "", "", "7")),
    ]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_the_corpus(path: Path) -> None:
    with Package(path) as package:
        titles = [sheet.title for sheet in package.sheets]
    for title in titles:
        if (path.name, title) in OPENPYXL_READS:
            with pytest.raises(Unsure):
                both(path, title)
        else:
            assert_agree(path, title)


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param('<row r="2"><c r="A2" t="e"><v>#SPILL!</v></c></row>', id="unknown-error"),
        pytest.param('<row r="2"><c s="2"><v>45292</v></c></row>', id="dated-cell-without-r"),
        pytest.param('<row><c r="A2"><v>1</v></c></row>', id="row-without-r"),
        pytest.param(
            '<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>',
            id="rows-out-of-order",
        ),
        pytest.param('<row r="2"><!-- a note --><c r="A2"><v>1</v></c></row>', id="comment"),
        pytest.param('<row r="9"><c r="ZZ9"><v>1</v></c></row>', id="no-header-over-it"),
        pytest.param(
            '<row r="2"><c r="A2"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
            id="a-grid-of-17-billion-cells",
        ),
    ],
)
def test_what_calamine_cannot_tell_openpyxl_reads(tmp_path: Path, rows: str) -> None:
    path = tmp_path / "odd.xlsx"
    hand_made(path, HEADER + rows)
    if "ZZ9" not in rows:
        with pytest.raises(Unsure), Package(path) as package:
            read_cells(package, package.sheet(None))

    def by_openpyxl() -> object:
        return make_table(path, "xlsx", "Leads", read_cells_openpyxl(path, None)[1]).rows

    assert outcome(lambda: read_table(path).rows) == outcome(by_openpyxl)


def outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except SheetError as err:
        return str(err)


def test_a_number_cell_reads_the_same_by_the_quick_paths_as_by_display_text():
    """Whole-day dates and zero-padded numbers skip the general formatter (nearly every cell of
    a date or postcode column); what they give must be what it gives, and a number too long for
    int() says Unsure as the general path does."""
    formats = Formats(
        ("General", "yyyy-mm-dd", "00000", "[h]:mm"),
        frozenset({1, 3}),
        frozenset({3}),
        CALENDAR_WINDOWS_1900,
    )
    reader = CellReader(formats, [])
    for raw in (b"0", b"7", b"007", b"59", b"60", b"61", b"45000", b"2958465", b"2958466", b"1E3"):
        for style in (1, 2, 3):
            try:
                value = from_excel(
                    _cast_number(raw.decode()), CALENDAR_WINDOWS_1900, timedelta=style == 3
                )
            except (OverflowError, ValueError):
                value = "#VALUE!"
            expected = display_text(
                value if style != 2 else _cast_number(raw.decode()), formats.code(style)
            )
            assert reader.number(style, raw) == expected, (style, raw)
    assert reader.number(2, b"1" * 700) == "1" * 700
    with pytest.raises(Unsure):
        reader.number(2, b"1" * 5000)
