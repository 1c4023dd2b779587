"""The styles part: formats appended after every existing one, found again by content, the rest
of the part kept as it was; a workbook without one gets one, declared and related."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from runner.sheet.package import Package
from runner.sheet.stylesheet import STYLES_TYPE, Format, Stylesheet
from tests.support.excelbook import (
    MINIMAL_STYLES,
    STRICT_MAIN,
    STYLES,
    minimal_book,
    read_parts,
    sheet_xml,
    write_package,
)

GREEN = Format(colour="FF006100", fill="FFC6EFCE")
BOLD = Format(bold=True)
ROWS = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'


def book(tmp_path: Path, styles: str | None, *, strict: bool = False) -> Path:
    """A one-sheet workbook whose styles part is `styles` (None: it has none)."""
    path = tmp_path / "book.xlsx"
    minimal_book(path, sheet_xml(ROWS), strict=strict)
    parts = read_parts(path)
    if styles is None:
        del parts["xl/styles.xml"]
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        start = rels.index('<Relationship Id="rId2"')
        parts["xl/_rels/workbook.xml.rels"] = (
            rels[:start] + rels[rels.index("/>", start) + 2 :]
        ).encode()
        types = parts["[Content_Types].xml"].decode()
        start = types.index('<Override PartName="/xl/styles.xml"')
        parts["[Content_Types].xml"] = (
            types[:start] + types[types.index("/>", start) + 2 :]
        ).encode()
    else:
        parts["xl/styles.xml"] = styles.encode()
    write_package(path, list(parts.items()))
    return path


def styled(path: Path, *asks: tuple[int, Format]) -> tuple[list[int], dict[str, bytes]]:
    with Package(path) as package:
        sheet = Stylesheet(package)
        indexes = [sheet.index(base, fmt) for base, fmt in asks]
        return indexes, sheet.parts(package, {})


def children(data: bytes, name: str) -> list[bytes]:
    root = etree.fromstring(data)
    listing = root.find(f"{{*}}{name}")
    return [etree.tostring(c, method="c14n") for c in listing] if listing is not None else []


def test_formats_are_appended_after_the_existing_ones_which_stay_as_they_were(
    tmp_path: Path,
) -> None:
    path = book(tmp_path, STYLES)
    (green, bold_date), parts = styled(path, (0, GREEN), (2, BOLD))
    assert (green, bold_date) == (7, 8)  # STYLES has 7 xfs
    after = parts["xl/styles.xml"]
    for name in ("fonts", "fills", "cellXfs"):
        before = children(STYLES.encode(), name)
        assert children(after, name)[: len(before)] == before
    root = etree.fromstring(after)
    xfs = root.find("{*}cellXfs")
    assert xfs.get("count") == str(len(xfs)) == "9"
    fonts, fills = root.find("{*}fonts"), root.find("{*}fills")
    assert (fonts.get("count"), fills.get("count")) == ("5", "4")
    new_xf = xfs[7]
    assert (new_xf.get("fontId"), new_xf.get("fillId")) == ("3", "3")
    assert new_xf.get("applyFill") == new_xf.get("applyFont") == "1"
    assert fonts[3].find("{*}color").get("rgb") == "FF006100"  # theme colour replaced
    assert fonts[3].find("{*}name").get("val") == "Calibri"  # the rest of the base font kept
    pattern = fills[3].find("{*}patternFill")
    assert pattern.get("patternType") == "solid"
    assert pattern.find("{*}fgColor").get("rgb") == "FFC6EFCE"
    # The date format keeps its number format, gains a bold font.
    assert xfs[8].get("numFmtId") == "164"
    assert fonts[4].find("{*}b") is not None
    # Every other list, and the root's namespaces and mc:Ignorable, as they were.
    for name in ("numFmts", "borders", "cellStyleXfs", "cellStyles", "dxfs", "tableStyles"):
        assert children(after, name) == children(STYLES.encode(), name), name
    original = etree.fromstring(STYLES.encode())
    assert root.nsmap == original.nsmap
    assert dict(root.attrib) == dict(original.attrib)
    assert (
        fonts.get("{http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac}knownFonts") == "1"
    )
    assert after.startswith(b"<?xml") and b'standalone="yes"' in after.replace(b"'", b'"')


def test_a_format_the_part_holds_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    path = book(tmp_path, STYLES)
    # xf 1 is bold already; xf 4 is xf 1 without its fill and border, bold too.
    (same, other), parts = styled(path, (1, BOLD), (4, BOLD))
    assert (same, other) == (1, 4)
    assert parts == {}


def test_asked_again_in_another_write_nothing_more_is_appended(tmp_path: Path) -> None:
    path = book(tmp_path, MINIMAL_STYLES)
    red = Format(colour="FF9C0006", fill="FFFFC7CE")
    asks = [(0, GREEN), (0, BOLD), (3, GREEN), (0, red)]
    first, parts = styled(path, *asks)
    assert first == [4, 1, 5, 6]  # bold over xf 0 is xf 1, which MINIMAL_STYLES has
    write_package(path, list({**read_parts(path), **parts}.items()))
    again, parts = styled(path, *asks)
    assert again == first
    assert parts == {}
    # Laid over a format made by an earlier write, a colour gives the same format as over the
    # original: a status that changes never piles one format on another.
    changed, parts = styled(path, (4, red), (6, GREEN))
    assert changed == [6, 4]
    assert parts == {}


def test_fills_0_and_1_and_the_first_font_and_xf_are_never_the_runners(tmp_path: Path) -> None:
    bare = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\n'
        '  <fills count="1"><fill><patternFill patternType="none"/></fill></fills>\n'
        "  <!-- a comment the writer keeps -->\n"
        "</styleSheet>\n"
    )
    path = book(tmp_path, bare)
    (green,), parts = styled(path, (0, GREEN))
    root = etree.fromstring(parts["xl/styles.xml"])
    names = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert names == ["fonts", "fills", "cellXfs"]  # made where the schema puts them
    fills = root.find("{*}fills")
    assert [f.find("{*}patternFill").get("patternType") for f in fills] == [
        "none",
        "gray125",
        "solid",
    ]
    assert green == 1 and len(root.find("{*}cellXfs")) == 2  # xf 0 stays every plain cell's
    assert len(root.find("{*}fonts")) == 2
    assert b"<!-- a comment the writer keeps -->" in parts["xl/styles.xml"]


def test_bold_where_the_font_says_not_bold(tmp_path: Path) -> None:
    styles = MINIMAL_STYLES.replace('<font><sz val="11"/>', '<font><b val="0"/><sz val="12"/>', 1)
    (bold,), parts = styled(book(tmp_path, styles), (0, BOLD))
    root = etree.fromstring(parts["xl/styles.xml"])
    font = root.find("{*}fonts")[int(root.find("{*}cellXfs")[bold].get("fontId"))]
    assert font.find("{*}b").attrib == {}


def test_a_workbook_without_styles_gets_a_part_declared_and_related(tmp_path: Path) -> None:
    path = book(tmp_path, None)
    (green,), parts = styled(path, (0, GREEN))
    assert green == 1
    assert set(parts) == {"xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    types = etree.fromstring(parts["[Content_Types].xml"])
    override = [o for o in types if o.get("PartName") == "/xl/styles.xml"]
    assert [o.get("ContentType") for o in override] == [STYLES_TYPE]
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    styles = [r for r in rels if r.get("Type", "").endswith("/styles")]
    assert [(r.get("Id"), r.get("Target")) for r in styles] == [("rId2", "styles.xml")]
    assert len(rels) == 3  # the sheet's and the shared strings' kept


def test_a_strict_workbook_gets_strict_styles(tmp_path: Path) -> None:
    path = book(tmp_path, None, strict=True)
    _, parts = styled(path, (0, BOLD))
    assert etree.fromstring(parts["xl/styles.xml"]).tag == f"{{{STRICT_MAIN}}}styleSheet"
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    assert any(
        r.get("Type") == "http://purl.oclc.org/ooxml/officeDocument/relationships/styles"
        for r in rels
    )


@pytest.mark.parametrize("base", [-1, 99])
def test_a_style_the_part_does_not_have_is_taken_as_the_plain_one(
    tmp_path: Path, base: int
) -> None:
    (index,), _ = styled(book(tmp_path, MINIMAL_STYLES), (base, GREEN))
    (plain,), _ = styled(book(tmp_path, MINIMAL_STYLES), (0, GREEN))
    assert index == plain
