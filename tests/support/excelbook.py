"""Workbooks written part by part the way Excel writes them, for the package-level sheet tests.

openpyxl's own files are the easy case (no `mc:Ignorable`, no `x14ac:dyDescent`, no `spans`,
inline strings). `leads_book` writes what a workbook Excel saved looks like: shared strings,
styles with cellXfs, revision ids, a sheet filter with its hidden defined name and a filtered-out
row, a row hidden by hand, cell hyperlinks and a HYPERLINK formula, merged cells, conditional
formatting, data validation, a sparkline, a chart and a picture in a drawing, comments and a
form button in VML, printer settings, a Table with a totals row, a pivot table and its cache, a
calculation chain, and for .xlsm a VBA project.
"""

# The parts are XML written out as Excel writes it, an element or a few per string; wrapping
# them to the line length would hide the shape the tests depend on.
# ruff: noqa: E501

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
XR2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"
XR3 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument."

HEADER = ("name", "company", "profile", "score", "joined", "double", "link")
# Data rows 2-9 of sheet "Leads": name, company, profile URL (a cell hyperlink), score, joined
# (a date serial), and the formulas "=D*2" and HYPERLINK(...) beside them.
PEOPLE = (
    ("Ann Lee", "Acme", "https://www.linkedin.com/in/ann-lee", 42, 45292),
    ("Bob Ng", "Globex", "https://www.linkedin.com/in/bob-ng", 17, 45300),
    ("Cy Okafor", "Acme", "https://www.linkedin.com/in/cy-okafor", 88, 45310),
    ("Dee Müller", "Initech", "https://www.linkedin.com/in/dee", 5, 45320),
    ("Eve García", "Acme", "https://www.linkedin.com/in/eve", 61, 45330),
    ("Fay Smith", "Globex", "https://www.linkedin.com/in/fay", 33, 45340),
    ("Gus Ito", "Acme", "https://www.linkedin.com/in/gus", 70, 45350),
    ("Hal Berg", "Globex", "https://www.linkedin.com/in/hal", 12, 45360),
)
FILTERED_ROW = 5  # Initech: the sheet's filter shows only Acme and Globex
HAND_HIDDEN_ROW = 11
MERGED = "A12:C12"
COMPUTED_LINK_ROW = 9  # its HYPERLINK builds the URL from C9, so it cannot be known
PNG = b"\x89PNG\r\n\x1a\n" + b"".join(
    struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    for kind, body in (
        (b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
        (b"IDAT", zlib.compress(b"\x00\xff\x00\x00")),
        (b"IEND", b""),
    )
)


@dataclass(frozen=True)
class Variant:
    """How the Leads sheet is spelt: `prefix` for its elements ("x:" binds the main namespace
    to a prefix instead of the default), `omit_refs` drops `r` from some rows and cells, and
    `cdata` puts a comment and a CDATA section holding markup-like text inside rows."""

    prefix: str = ""
    omit_refs: bool = False
    cdata: bool = False


class Strings:
    """The shared-string table, filled as cells ask for strings."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def __call__(self, text: str) -> int:
        if text not in self.items:
            self.items.append(text)
        return self.items.index(text)

    def part(self) -> str:
        items = "".join(f"<si><t>{_esc(t)}</t></si>" for t in self.items)
        count = len(self.items)
        return f'{DECL}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_package(path: Path, parts: list[tuple[str, str | bytes]]) -> None:
    """A ZIP like Excel's: deflated parts in the order given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts:
            info = zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, content.encode() if isinstance(content, str) else content)


def read_parts(path: Path) -> dict[str, bytes]:
    """Every entry's decompressed bytes, in the package's order."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def leads_book(path: Path, variant: Variant = Variant(), macro: bool = False) -> None:
    """Write the workbook described in the module docstring to `path`."""
    strings = Strings()
    sheets = [
        ("xl/worksheets/sheet1.xml", _lookup_sheet(strings)),
        ("xl/worksheets/sheet2.xml", leads_sheet(strings, variant)),
        ("xl/worksheets/sheet3.xml", _table_sheet(strings)),
        ("xl/worksheets/sheet4.xml", _pivot_sheet(strings)),
    ]
    parts: list[tuple[str, str | bytes]] = [
        ("[Content_Types].xml", _content_types(macro)),
        (
            "_rels/.rels",
            _rels(
                [
                    ("rId3", "extended-properties", "docProps/app.xml"),
                    ("rId2", "metadata/core-properties", "docProps/core.xml"),
                    ("rId1", "officeDocument", "xl/workbook.xml"),
                ]
            ),
        ),
        ("xl/workbook.xml", _workbook()),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(macro)),
        *sheets,
        (
            "xl/theme/theme1.xml",
            f'{DECL}<a:theme xmlns:a="{A}" name="Office Theme"><a:themeElements/></a:theme>',
        ),
        ("xl/styles.xml", STYLES),
        ("xl/sharedStrings.xml", strings.part()),
        ("xl/worksheets/_rels/sheet2.xml.rels", _leads_rels()),
        ("xl/worksheets/_rels/sheet3.xml.rels", _rels([("rId1", "table", "../tables/table1.xml")])),
        (
            "xl/worksheets/_rels/sheet4.xml.rels",
            _rels([("rId1", "pivotTable", "../pivotTables/pivotTable1.xml")]),
        ),
        ("xl/tables/table1.xml", TABLE),
        ("xl/pivotTables/pivotTable1.xml", PIVOT_TABLE),
        (
            "xl/pivotTables/_rels/pivotTable1.xml.rels",
            _rels([("rId1", "pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml")]),
        ),
        ("xl/pivotCache/pivotCacheDefinition1.xml", PIVOT_CACHE),
        (
            "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels",
            _rels([("rId1", "pivotCacheRecords", "pivotCacheRecords1.xml")]),
        ),
        ("xl/pivotCache/pivotCacheRecords1.xml", _pivot_records()),
        ("xl/drawings/drawing1.xml", DRAWING),
        (
            "xl/drawings/_rels/drawing1.xml.rels",
            _rels(
                [
                    ("rId2", "image", "../media/image1.png"),
                    ("rId1", "chart", "../charts/chart1.xml"),
                ]
            ),
        ),
        ("xl/charts/chart1.xml", CHART),
        ("xl/media/image1.png", PNG),
        ("xl/drawings/vmlDrawing1.vml", VML),
        ("xl/comments1.xml", COMMENTS),
        (
            "xl/ctrlProps/ctrlProp1.xml",
            f'{DECL}<formControlPr xmlns="{X14}" objectType="Button" lockText="1"/>',
        ),
        ("xl/printerSettings/printerSettings1.bin", bytes(range(256)) * 4),
        ("xl/calcChain.xml", _calc_chain()),
        ("docProps/core.xml", CORE),
        (
            "docProps/app.xml",
            f'{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application></Properties>',
        ),
    ]
    if macro:
        parts.insert(-2, ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)))
    write_package(path, parts)


# The sheets ----------------------------------------------------------------------------------


def _root(prefix: str, extra: str = "") -> str:
    ns = f'xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<{prefix}worksheet {ns} xmlns:r="{R}" xmlns:xdr="{XDR}" xmlns:x14="{X14}" '
        f'xmlns:mc="{MC}" mc:Ignorable="x14ac xr xr2 xr3" xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" '
        f'xmlns:xr2="{XR2}" xmlns:xr3="{XR3}" xr:uid="{{7B1F2E6A-0000-4000-8000-00000000000{extra}}}">'
    )


def leads_sheet(strings: Strings, variant: Variant = Variant()) -> str:
    p = variant.prefix
    rows = []
    header = "".join(
        f'<{p}c r="{chr(65 + i)}1" s="1" t="s"><{p}v>{strings(h)}</{p}v></{p}c>'
        for i, h in enumerate(HEADER)
    )
    rows.append(
        f'<{p}row r="1" spans="1:7" s="4" customFormat="1" ht="18" customHeight="1" x14ac:dyDescent="0.25">{header}</{p}row>'
    )
    for number, (name, company, url, score, joined) in enumerate(PEOPLE, start=2):
        if number == COMPUTED_LINK_ROW:
            link = f'HYPERLINK("https://www.linkedin.com/in/"&amp;MID(C{number},29,99),A{number})'
        else:
            link = f'HYPERLINK("{url}","{name.split()[0]}")'
        cells = [
            f'<{p}c r="A{number}" t="s"><{p}v>{strings(name)}</{p}v></{p}c>',
            f'<{p}c r="B{number}" t="s"><{p}v>{strings(company)}</{p}v></{p}c>',
            f'<{p}c r="C{number}" s="3" t="s"><{p}v>{strings(url)}</{p}v></{p}c>',
            f'<{p}c r="D{number}"><{p}v>{score}</{p}v></{p}c>',
            f'<{p}c r="E{number}" s="2"><{p}v>{joined}</{p}v></{p}c>',
            f'<{p}c r="F{number}"><{p}f>D{number}*2</{p}f><{p}v>{score * 2}</{p}v></{p}c>',
            f'<{p}c r="G{number}" t="str"><{p}f>{link}</{p}f><{p}v>{_esc(name.split()[0])}</{p}v></{p}c>',
        ]
        attrs = f'r="{number}" '
        if variant.omit_refs and number in (6, 7, 8):
            attrs = ""  # rows 5-8 all have an element, so each follows the one before
        if variant.omit_refs and number == 3:
            cells[1] = cells[1].replace(' r="B3"', "")  # B3 follows A3
            cells[5] = cells[5].replace(' r="F3"', "")
        if variant.cdata and number == 4:
            cells.insert(2, '<!-- a comment: <c r="Z4"/></row> -->')
            cells[0] = (
                f'<{p}c r="A4" t="inlineStr"><{p}is><{p}t><![CDATA[Cy </row><c r="H4"> & Okafor]]></{p}t></{p}is></{p}c>'
            )
        hidden = ' hidden="1"' if number == FILTERED_ROW else ""
        rows.append(
            f'<{p}row {attrs}spans="1:7"{hidden} x14ac:dyDescent="0.25">{"".join(cells)}</{p}row>'
        )
    rows.append(
        f'<{p}row r="{HAND_HIDDEN_ROW}" spans="1:7" hidden="1" x14ac:dyDescent="0.25"><{p}c r="A11" t="s"><{p}v>{strings("hidden by hand")}</{p}v></{p}c></{p}row>'
    )
    rows.append(
        f'<{p}row r="12" spans="1:7" x14ac:dyDescent="0.25"><{p}c r="A12" s="5" t="s"><{p}v>{strings("a merged note")}</{p}v></{p}c><{p}c r="B12" s="5"/><{p}c r="C12" s="5"/></{p}row>'
    )
    rows.append(
        f'<{p}row r="13" spans="4:4" x14ac:dyDescent="0.25"><{p}c r="D13"><{p}f>SUM(D2:D9)</{p}f><{p}v>{sum(x[3] for x in PEOPLE)}</{p}v></{p}c></{p}row>'
    )
    return (
        DECL
        + _root(p, "1")
        + f'<{p}sheetPr filterMode="1"/><{p}dimension ref="A1:G13"/>'
        + f'<{p}sheetViews><{p}sheetView tabSelected="1" workbookViewId="0"><{p}selection activeCell="A2" sqref="A2"/></{p}sheetView></{p}sheetViews>'
        + f'<{p}sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
        + f'<{p}cols><{p}col min="1" max="1" width="20.7109375" customWidth="1"/><{p}col min="3" max="3" width="40.7109375" customWidth="1"/><{p}col min="9" max="9" width="30" style="6" customWidth="1"/></{p}cols>'
        + f"<{p}sheetData>{''.join(rows)}</{p}sheetData>"
        + f'<{p}autoFilter ref="A1:G9" xr:uid="{{1C2B3A4D-0000-4000-8000-000000000001}}"><{p}filterColumn colId="1"><{p}filters><{p}filter val="Acme"/><{p}filter val="Globex"/></{p}filters></{p}filterColumn></{p}autoFilter>'
        + f'<{p}mergeCells count="1"><{p}mergeCell ref="{MERGED}"/></{p}mergeCells>'
        + f'<{p}conditionalFormatting sqref="D2:D9"><{p}cfRule type="cellIs" dxfId="0" priority="1" operator="greaterThan"><{p}formula>50</{p}formula></{p}cfRule></{p}conditionalFormatting>'
        + f'<{p}dataValidations count="1"><{p}dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" sqref="B2:B9" xr:uid="{{2D3C4B5A-0000-4000-8000-000000000001}}"><{p}formula1>"Acme,Globex,Initech"</{p}formula1></{p}dataValidation></{p}dataValidations>'
        + f'<{p}hyperlinks><{p}hyperlink ref="C2" r:id="rId1" xr:uid="{{3E4D5C6B-0000-4000-8000-000000000001}}"/><{p}hyperlink ref="C3" r:id="rId2"/><{p}hyperlink ref="C4" r:id="rId3"/><{p}hyperlink ref="C5" location="\'Contacts\'!A1" display="Contacts"/></{p}hyperlinks>'
        + f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + f'<{p}pageSetup paperSize="9" orientation="portrait" r:id="rId4"/>'
        + f'<{p}drawing r:id="rId5"/><{p}legacyDrawing r:id="rId6"/>'
        + f'<mc:AlternateContent><mc:Choice Requires="x14"><{p}controls><mc:AlternateContent><mc:Choice Requires="x14"><{p}control shapeId="1025" r:id="rId8" name="Button 1"><{p}controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="[0]!Send"><{p}anchor moveWithCells="1" sizeWithCells="1"><{p}from><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></{p}from><{p}to><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff></{p}to></{p}anchor></{p}controlPr></{p}control></mc:Choice></mc:AlternateContent></{p}controls></mc:Choice></mc:AlternateContent>'
        + f'<{p}extLst><{p}ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}"><x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Leads!D2:D9</xm:f><xm:sqref>E13</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></{p}ext></{p}extLst>'
        + f"</{p}worksheet>"
    )


def _lookup_sheet(strings: Strings) -> str:
    return (
        DECL + _root("", "2") + '<dimension ref="A1:A2"/><sheetData>'
        f'<row r="1"><c r="A1" t="s"><v>{strings("code")}</v></c></row>'
        f'<row r="2"><c r="A2" t="s"><v>{strings("old data")}</v></c></row>'
        '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )


# Sheet "Contacts": a Table over A1:C6 (row 6 its totals), filtered on Amount > 10, hiding row 3.
TABLE_ROWS = (
    ("Ann", "ann@example.com", 12),
    ("Bob", "bob@example.com", 7),
    ("Cy", "cy@example.com", 30),
    ("Dee", "dee@example.com", 15),
)


def _table_sheet(strings: Strings) -> str:
    rows = [
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25">'
        + "".join(
            f'<c r="{chr(65 + i)}1" s="1" t="s"><v>{strings(h)}</v></c>'
            for i, h in enumerate(("Name", "Email", "Amount"))
        )
        + "</row>"
    ]
    for number, (name, email, amount) in enumerate(TABLE_ROWS, start=2):
        hidden = ' hidden="1"' if number == 3 else ""
        rows.append(
            f'<row r="{number}" spans="1:3"{hidden} x14ac:dyDescent="0.25"><c r="A{number}" t="s"><v>{strings(name)}</v></c><c r="B{number}" t="s"><v>{strings(email)}</v></c><c r="C{number}"><v>{amount}</v></c></row>'
        )
    total = sum(r[2] for r in TABLE_ROWS if r[2] > 10)
    rows.append(
        f'<row r="6" spans="1:3" x14ac:dyDescent="0.25"><c r="A6" t="s"><v>{strings("Total")}</v></c><c r="C6"><f>SUBTOTAL(109,Contacts[Amount])</f><v>{total}</v></c></row>'
    )
    return (
        DECL
        + _root("", "3")
        + '<dimension ref="A1:C6"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>'
        + "".join(rows)
        + "</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
    )


TABLE = (
    f'{DECL}<table xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr xr3" xmlns:xr="{XR}" xmlns:xr3="{XR3}" '
    'id="1" xr:uid="{5A6B7C8D-0000-4000-8000-000000000001}" name="Contacts" displayName="Contacts" ref="A1:C6" totalsRowCount="1">'
    '<autoFilter ref="A1:C5" xr:uid="{5A6B7C8D-0000-4000-8000-000000000002}"><filterColumn colId="2"><customFilters><customFilter operator="greaterThan" val="10"/></customFilters></filterColumn></autoFilter>'
    '<tableColumns count="3"><tableColumn id="1" xr3:uid="{5A6B7C8D-0000-4000-8000-000000000003}" name="Name" totalsRowLabel="Total"/>'
    '<tableColumn id="2" xr3:uid="{5A6B7C8D-0000-4000-8000-000000000004}" name="Email"/>'
    '<tableColumn id="3" xr3:uid="{5A6B7C8D-0000-4000-8000-000000000005}" name="Amount" totalsRowFunction="sum"/></tableColumns>'
    '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>'
)


def _pivot_sheet(strings: Strings) -> str:
    totals: dict[str, int] = {}
    for person in PEOPLE:
        totals[person[1]] = totals.get(person[1], 0) + person[3]
    rows = [
        f'<row r="3"><c r="A3" t="s"><v>{strings("Row Labels")}</v></c><c r="B3" t="s"><v>{strings("Sum of score")}</v></c></row>'
    ]
    for number, (company, total) in enumerate(sorted(totals.items()), start=4):
        rows.append(
            f'<row r="{number}"><c r="A{number}" t="s"><v>{strings(company)}</v></c><c r="B{number}"><v>{total}</v></c></row>'
        )
    rows.append(
        f'<row r="7"><c r="A7" t="s"><v>{strings("Grand Total")}</v></c><c r="B7"><v>{sum(totals.values())}</v></c></row>'
    )
    return (
        DECL
        + _root("", "4")
        + '<dimension ref="A3:B7"/><sheetData>'
        + "".join(rows)
        + "</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )


PIVOT_TABLE = (
    f'{DECL}<pivotTableDefinition xmlns="{MAIN}" name="PivotTable1" cacheId="1" applyNumberFormats="0" applyBorderFormats="0" '
    'applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" dataCaption="Values" '
    'updatedVersion="8" minRefreshableVersion="3" useAutoFormatting="1" itemPrintTitles="1" createdVersion="8" indent="0" outline="1" outlineData="1">'
    '<location ref="A3:B7" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
    '<pivotFields count="4"><pivotField showAll="0"/><pivotField axis="axisRow" showAll="0"><items count="4"><item x="0"/><item x="1"/><item x="2"/><item t="default"/></items></pivotField>'
    '<pivotField showAll="0"/><pivotField dataField="1" showAll="0"/></pivotFields>'
    '<rowFields count="1"><field x="1"/></rowFields><rowItems count="4"><i><x/></i><i><x v="1"/></i><i><x v="2"/></i><i t="grand"><x/></i></rowItems>'
    '<colItems count="1"><i/></colItems><dataFields count="1"><dataField name="Sum of score" fld="3" baseField="0" baseItem="0"/></dataFields>'
    '<pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1" showRowStripes="0" showColStripes="0" showLastColumn="1"/></pivotTableDefinition>'
)
PIVOT_CACHE = (
    f'{DECL}<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{R}" r:id="rId1" refreshedBy="Author" refreshedDate="45292.5" '
    'createdVersion="8" refreshedVersion="8" minRefreshableVersion="3" recordCount="8">'
    '<cacheSource type="worksheet"><worksheetSource ref="A1:D9" sheet="Leads"/></cacheSource><cacheFields count="4">'
    '<cacheField name="name" numFmtId="0"><sharedItems/></cacheField>'
    '<cacheField name="company" numFmtId="0"><sharedItems count="3"><s v="Acme"/><s v="Globex"/><s v="Initech"/></sharedItems></cacheField>'
    '<cacheField name="profile" numFmtId="0"><sharedItems/></cacheField>'
    '<cacheField name="score" numFmtId="0"><sharedItems containsSemiMixedTypes="0" containsString="0" containsNumber="1" containsInteger="1" minValue="5" maxValue="88"/></cacheField>'
    "</cacheFields></pivotCacheDefinition>"
)


def _pivot_records() -> str:
    companies = ["Acme", "Globex", "Initech"]
    records = "".join(
        f'<r><s v="{_esc(name)}"/><x v="{companies.index(company)}"/><s v="{url}"/><n v="{score}"/></r>'
        for name, company, url, score, _ in PEOPLE
    )
    return f'{DECL}<pivotCacheRecords xmlns="{MAIN}" xmlns:r="{R}" count="8">{records}</pivotCacheRecords>'


def _calc_chain() -> str:
    cells = [f'<c r="F{n}" i="2"/>' if n == 2 else f'<c r="F{n}"/>' for n in range(2, 10)]
    cells += [f'<c r="G{n}"/>' for n in range(2, 10)] + ['<c r="D13"/>', '<c r="C6" i="3"/>']
    return f'{DECL}<calcChain xmlns="{MAIN}">{"".join(cells)}</calcChain>'


# Package plumbing ----------------------------------------------------------------------------


def _rels(items: list[tuple[str, str, str]], external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    body = "".join(
        f'<Relationship Id="{i}" Type="{RT}{t}" Target="{target}"{mode}/>' for i, t, target in items
    )
    return f'{DECL}<Relationships xmlns="{PKG}">{body}</Relationships>'


def _leads_rels() -> str:
    links = _rels([(f"rId{i + 1}", "hyperlink", PEOPLE[i][2]) for i in range(3)], external=True)
    others = _rels(
        [
            ("rId4", "printerSettings", "../printerSettings/printerSettings1.bin"),
            ("rId5", "drawing", "../drawings/drawing1.xml"),
            ("rId6", "vmlDrawing", "../drawings/vmlDrawing1.vml"),
            ("rId7", "comments", "/xl/comments1.xml"),  # absolute, as some writers make it
            ("rId8", "ctrlProp", "../ctrlProps/ctrlProp1.xml"),
        ]
    )
    return links.replace("</Relationships>", others.split(f'<Relationships xmlns="{PKG}">')[1])


def _workbook() -> str:
    return (
        f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
        'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
        'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
        'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27425"/><workbookPr defaultThemeVersion="166925"/>'
        '<bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15840" activeTab="1"/></bookViews>'
        '<sheets><sheet name="Lookup" sheetId="4" state="hidden" r:id="rId1"/><sheet name="Leads" sheetId="2" r:id="rId2"/>'
        '<sheet name="Contacts" sheetId="3" r:id="rId3"/><sheet name="Pivot" sheetId="5" r:id="rId4"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">Leads!$A$1:$G$9</definedName>'
        '<definedName name="Scores">Leads!$D$2:$D$9</definedName></definedNames>'
        '<calcPr calcId="191029"/><pivotCaches><pivotCache cacheId="1" r:id="rId9"/></pivotCaches></workbook>'
    )


def _workbook_rels(macro: bool) -> str:
    items = [
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId2", "worksheet", "/xl/worksheets/sheet2.xml"),  # absolute: never assume the form
        ("rId3", "worksheet", "worksheets/sheet3.xml"),
        ("rId4", "worksheet", "worksheets/sheet4.xml"),
        ("rId5", "theme", "theme/theme1.xml"),
        ("rId6", "styles", "styles.xml"),
        ("rId7", "sharedStrings", "sharedStrings.xml"),
        ("rId8", "calcChain", "calcChain.xml"),
        ("rId9", "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml"),
    ]
    text = _rels(items)
    if macro:
        vba = '<Relationship Id="rId10" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
        text = text.replace("</Relationships>", vba + "</Relationships>")
    return text


def _content_types(macro: bool) -> str:
    main = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if macro
        else f"{CT}spreadsheetml.sheet.main+xml"
    )
    overrides = [
        ("/xl/workbook.xml", main),
        *[
            (f"/xl/worksheets/sheet{i}.xml", f"{CT}spreadsheetml.worksheet+xml")
            for i in range(1, 5)
        ],
        ("/xl/theme/theme1.xml", f"{CT}theme+xml"),
        ("/xl/styles.xml", f"{CT}spreadsheetml.styles+xml"),
        ("/xl/sharedStrings.xml", f"{CT}spreadsheetml.sharedStrings+xml"),
        ("/xl/tables/table1.xml", f"{CT}spreadsheetml.table+xml"),
        ("/xl/pivotTables/pivotTable1.xml", f"{CT}spreadsheetml.pivotTable+xml"),
        ("/xl/pivotCache/pivotCacheDefinition1.xml", f"{CT}spreadsheetml.pivotCacheDefinition+xml"),
        ("/xl/pivotCache/pivotCacheRecords1.xml", f"{CT}spreadsheetml.pivotCacheRecords+xml"),
        ("/xl/drawings/drawing1.xml", f"{CT}drawing+xml"),
        ("/xl/charts/chart1.xml", f"{CT}drawingml.chart+xml"),
        ("/xl/comments1.xml", f"{CT}spreadsheetml.comments+xml"),
        ("/xl/ctrlProps/ctrlProp1.xml", "application/vnd.ms-excel.controlproperties+xml"),
        ("/xl/calcChain.xml", f"{CT}spreadsheetml.calcChain+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{CT}extended-properties+xml"),
    ]
    if macro:
        overrides.append(("/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"))
    defaults = [
        ("bin", f"{CT}spreadsheetml.printerSettings"),
        ("png", "image/png"),
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("vml", f"{CT}vmlDrawing"),
        ("xml", "application/xml"),
    ]
    body = "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults)
    body += "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides)
    return f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{body}</Types>'


STYLES = (
    f'{DECL}<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac x16r2 xr" xmlns:x14ac="{X14AC}" '
    'xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="3" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFF0000"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    '<font><u/><sz val="11"/><color theme="10"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color indexed="64"/></left><right style="thin"><color indexed="64"/></right><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" applyNumberFormat="0" applyFill="0" applyBorder="0" applyAlignment="0" applyProtection="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="2"><cellStyle name="Hyperlink" xfId="1" builtinId="8"/><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf></dxfs>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)
DRAWING = (
    f'{DECL}<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}">'
    "<xdr:twoCellAnchor><xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
    "<xdr:to><xdr:col>20</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>18</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
    '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
    f'<c:chart xmlns:c="{C}" xmlns:r="{R}" r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>'
    '<xdr:oneCellAnchor><xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="95250" cy="95250"/>'
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="Picture 2"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
    f'<xdr:blipFill><a:blip xmlns:r="{R}" r:embed="rId2"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="95250" cy="95250"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>'
    "</xdr:wsDr>"
)
CHART = (
    f'{DECL}<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}"><c:chart><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
    '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
    "<c:cat><c:strRef><c:f>Leads!$A$2:$A$9</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>Leads!$D$2:$D$9</c:f></c:numRef></c:val></c:ser>"
    '<c:axId val="10"/><c:axId val="20"/></c:barChart>'
    '<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:crossAx val="20"/></c:catAx>'
    '<c:valAx><c:axId val="20"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:crossAx val="10"/></c:valAx>'
    '</c:plotArea><c:plotVisOnly val="1"/></c:chart></c:chartSpace>'
)
VML = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n'
    ' <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>\r\n'
    ' <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>\r\n'
    ' <v:shape id="_x0000_s1025" type="#_x0000_t201" style="position:absolute;margin-left:600pt;margin-top:15pt;width:60pt;height:30pt;z-index:1" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
    '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
    '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center"><font face="Calibri" size="220" color="#000000">Send</font></div></v:textbox>'
    '<x:ClientData ObjectType="Button"><x:Anchor>12, 0, 1, 0, 13, 0, 3, 0</x:Anchor><x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill><x:FmlaMacro>[0]!Send</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>'
    '<v:shape id="_x0000_s1026" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:2;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
    '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>1, 15, 0, 2, 3, 15, 4, 2</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>1</x:Row><x:Column>0</x:Column></x:ClientData></v:shape></xml>'
)
COMMENTS = (
    f'{DECL}<comments xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr" xmlns:xr="{XR}"><authors><author>Ann</author></authors>'
    '<commentList><comment ref="A2" authorId="0" shapeId="0" xr:uid="{6B7C8D9E-0000-4000-8000-000000000001}"><text><r><rPr><b/><sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
    '<t>Ann:</t></r><r><rPr><sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr><t xml:space="preserve"> met at the fair</t></r></text></comment></commentList></comments>'
)
CORE = (
    f'{DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Ann</dc:creator>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-02T03:04:05Z</dcterms:created></cp:coreProperties>'
)


# Small workbooks for focused tests -----------------------------------------------------------

STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_R = "http://purl.oclc.org/ooxml/officeDocument/relationships"
MINIMAL_STYLES = (
    f'{DECL}<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def sheet_xml(rows: str, tail: str = "", head: str = '<dimension ref="A1:B3"/>') -> str:
    """A worksheet in the default namespace holding `rows` (the inside of `<sheetData>`)."""
    return (
        f'{DECL}<worksheet xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac" '
        f'xmlns:x14ac="{X14AC}">{head}<sheetData>{rows}</sheetData>{tail}</worksheet>'
    )


def minimal_book(
    path: Path,
    sheet: str,
    *,
    strings: tuple[str, ...] = (),
    strict: bool = False,
    extra: list[tuple[str, str | bytes]] | None = None,
    sheet_rels: str | None = None,
    book_rels: str = "",
    types: str = "",
    names: str = "",
) -> None:
    """A workbook of one sheet, "Leads" (part xl/worksheets/sheet1.xml), with `sheet` as its
    XML; `extra` parts are added (with `sheet_rels`, `book_rels` and `types` linking them)."""
    main, r, rt = MAIN, R, RT
    if strict:
        main, r, rt = STRICT_MAIN, STRICT_R, STRICT_R + "/"
        sheet = sheet.replace(MAIN, STRICT_MAIN).replace(R, STRICT_R)
    sst = "".join(f"<si><t>{_esc(s)}</t></si>" for s in strings)
    ws_type = f"{CT}spreadsheetml.worksheet+xml"
    parts: list[tuple[str, str | bytes]] = [
        (
            "[Content_Types].xml",
            f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ws_type}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT}spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}spreadsheetml.sharedStrings+xml"/>{types}</Types>',
        ),
        (
            "_rels/.rels",
            f'{DECL}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{rt}officeDocument" Target="xl/workbook.xml"/></Relationships>',
        ),
        (
            "xl/workbook.xml",
            f'{DECL}<workbook xmlns="{main}" xmlns:r="{r}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets>{names}<calcPr calcId="191029"/></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{DECL}<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{rt}worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rt}styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rt}sharedStrings" Target="sharedStrings.xml"/>{book_rels}</Relationships>',
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", MINIMAL_STYLES.replace(MAIN, main)),
        (
            "xl/sharedStrings.xml",
            f'{DECL}<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        ),
    ]
    if sheet_rels is not None:
        parts.append(
            (
                "xl/worksheets/_rels/sheet1.xml.rels",
                f'{DECL}<Relationships xmlns="{PKG}">{sheet_rels}</Relationships>',
            )
        )
    write_package(path, parts + (extra or []))
