"""The leads (`leads.py`) as a workbook written the way Excel writes one: shared strings, a date
style, five-digit postcodes as numbers in Excel's "00000" format (its Zip Code format, which
keeps the leading zeros) and the others as text, `spans` and `x14ac:dyDescent` on every row.
Written part by part (a streamed ZIP entry per part), which takes a couple of seconds where
openpyxl would take far longer."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from .leads import HEADER, leads

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = R + "/"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
EPOCH = date(1899, 12, 30)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def leads_workbook(path: Path, rows: int, seed: int = 1) -> None:
    """Write `rows` data rows of 12 columns (and the header) to `path`."""
    strings = _Strings()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.format(last=rows + 1).encode())
            cells = "".join(
                f'<c r="{chr(65 + i)}1" s="1" t="s"><v>{strings(h)}</v></c>'
                for i, h in enumerate(HEADER)
            )
            sheet.write(f'<row r="1" spans="1:12" x14ac:dyDescent="0.25">{cells}</row>'.encode())
            batch = []
            for number, lead in enumerate(leads(rows, seed), start=2):
                batch.append(_row(number, lead, strings))
                if len(batch) == 1000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + _SHEET_TAIL).encode())
        package.writestr("xl/styles.xml", _STYLES)
        items = "".join(f"<si><t>{_esc(text)}</t></si>" for text in strings.index)
        count = len(strings.index)
        package.writestr(
            "xl/sharedStrings.xml",
            f'{DECL}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>',
        )


def _row(number: int, lead: tuple[object, ...], strings: _Strings) -> str:
    cells = []
    for column, value in zip(_LETTERS, lead, strict=True):
        ref = f"{column}{number}"
        if value == "":
            continue  # Excel writes no cell for an empty one
        if isinstance(value, date):
            cells.append(f'<c r="{ref}" s="2"><v>{(value - EPOCH).days}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif column == _POSTCODE and len(str(value)) == 5:
            cells.append(f'<c r="{ref}" s="3"><v>{int(str(value))}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="s"><v>{strings(str(value))}</v></c>')
    return f'<row r="{number}" spans="1:12" x14ac:dyDescent="0.25">{"".join(cells)}</row>'


_LETTERS = tuple(chr(65 + i) for i in range(len(HEADER)))
_POSTCODE = _LETTERS[HEADER.index("postcode")]


_CONTENT_TYPES = (
    f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{CT}styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    f'{DECL}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RT}officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{R}"><bookViews><workbookView/></bookViews>'
    '<sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    f'{DECL}<Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{RT}worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RT}styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{RT}sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    f'{DECL}<worksheet xmlns="{MAIN}" xmlns:r="{R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:L{last}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>'
)
_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
    'footer="0.3"/></worksheet>'
)
_STYLES = (
    f'{DECL}<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="00000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
    '</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill>'
    '<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
