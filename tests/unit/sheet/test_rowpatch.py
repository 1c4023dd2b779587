"""One row patched: the runner's cells set in column order, every other byte of the row kept."""

from __future__ import annotations

import pytest

from runner.sheet.rowpatch import Patched, new_row, patch_row


def patched(row: bytes, writes: dict[int, str]) -> bytes:
    return patch_row(row, 5, writes, {}, False).data


def inline(ref: str, text: str, style: str = "", prefix: str = "") -> str:
    s = f' s="{style}"' if style else ""
    p = prefix
    return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>'


def test_cells_are_added_in_column_order_and_spans_widened() -> None:
    row = (
        b'<row r="5" spans="1:5" x14ac:dyDescent="0.25"><c r="A5"><v>1</v></c>'
        b'<c r="E5" s="2"><v>2</v></c></row>'
    )
    assert patched(row, {2: "x", 6: "y"}).decode() == (
        '<row r="5" spans="1:7" x14ac:dyDescent="0.25"><c r="A5"><v>1</v></c>'
        + inline("C5", "x")
        + '<c r="E5" s="2"><v>2</v></c>'
        + inline("G5", "y")
        + "</row>"
    )


def test_a_cell_of_any_kind_becomes_an_inline_string_keeping_its_style() -> None:
    row = (
        b'<row r="5"><c r="A5" s="1" t="s"><v>0</v></c><c r="B5" s="2"><v>3.5</v></c>'
        b'<c r="C5" s="3" t="str" cm="1"><f>A5&amp;"!"</f><v>x!</v></c><c r="D5" t="b"><v>1</v></c>'
        b'<c r="E5" t="e"><v>#N/A</v></c><c r="F5" t="inlineStr"><is><t>old</t></is></c></row>'
    )
    result = patch_row(row, 5, {i: f"v{i}" for i in range(6)}, {}, False)
    assert result.data.decode() == (
        '<row r="5">'
        + inline("A5", "v0", "1")
        + inline("B5", "v1", "2")
        + inline("C5", "v2", "3")
        + inline("D5", "v3")
        + inline("E5", "v4")
        + inline("F5", "v5")
        + "</row>"
    )
    assert result.formulas == ((2, b"<f>"),)  # the calculation chain must forget C5


def test_empty_text_empties_a_cell_but_keeps_its_style() -> None:
    row = b'<row r="5"><c r="A5" s="4"><v>1</v></c><c r="B5"><v>2</v></c></row>'
    assert patched(row, {0: "", 1: "", 2: ""}) == b'<row r="5"><c r="A5" s="4"/><c r="B5"/></row>'
    nothing = b'<row r="5" spans="1:1"><c r="A5"><v>1</v></c></row>'
    assert patch_row(nothing, 5, {3: ""}, {}, False) == Patched(nothing, ())


def test_a_self_closing_row_opens_when_it_gains_cells() -> None:
    row = b'<x:row r="5" spans="1:2" hidden="1" x14ac:dyDescent="0.25" />'
    assert patched(row, {2: "a"}).decode() == (
        '<x:row r="5" spans="1:3" hidden="1" x14ac:dyDescent="0.25">'
        + inline("C5", "a", prefix="x:")
        + "</x:row>"
    )
    assert patched(row, {2: ""}) == row


def test_cells_without_r_follow_the_one_before() -> None:
    row = b'<row><c r="A5"><v>1</v></c><c><v>2</v></c><c t="s"><v>0</v></c><c><v>4</v></c></row>'
    assert patched(row, {2: "x"}).decode() == (
        '<row><c r="A5"><v>1</v></c><c><v>2</v></c>' + inline("C5", "x") + "<c><v>4</v></c></row>"
    )


def test_comments_and_cdata_are_not_cells() -> None:
    row = (
        b'<row r="5"><c r="A5" t="inlineStr"><is><t><![CDATA[<c r="C5"/></c>]]></t></is></c>'
        b'<!-- <c r="C5"><v>9</v></c> --><c r="D5"><v>4</v></c></row>'
    )
    assert patched(row, {2: "x"}).decode() == (
        '<row r="5"><c r="A5" t="inlineStr"><is><t><![CDATA[<c r="C5"/></c>]]></t></is></c>'
        '<!-- <c r="C5"><v>9</v></c> -->' + inline("C5", "x") + '<c r="D5"><v>4</v></c></row>'
    )


def test_rich_text_elements_starting_with_c_are_not_cells() -> None:
    rich = (
        b'<c r="A5" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/><charset val="1"/>'
        b'<condense val="0"/></rPr><t>red</t></r></is></c>'
    )
    row = b'<row r="5">' + rich + b"</row>"
    assert patched(row, {1: "x"}) == b'<row r="5">' + rich + inline("B5", "x").encode() + b"</row>"


def test_new_cells_go_before_the_rows_extension_list() -> None:
    row = b'<row r="5"><c r="A5"><v>1</v></c><extLst><ext uri="x"/></extLst></row>'
    assert patched(row, {1: "x"}) == (
        b'<row r="5"><c r="A5"><v>1</v></c>'
        + inline("B5", "x").encode()
        + b'<extLst><ext uri="x"/></extLst></row>'
    )


@pytest.mark.parametrize(
    ("row", "writes", "header", "styles", "style"),
    [
        # The header's new cells look like its last cell.
        (
            b'<row r="1"><c r="A1" s="7" t="s"><v>0</v></c></row>',
            {1: "status"},
            True,
            {1: b"3"},
            "7",
        ),
        # A formatted row gives its style, as Excel does to a cell typed there...
        (b'<row r="5" s="4" customFormat="1"><c r="A5"/></row>', {1: "x"}, False, {1: b"3"}, "4"),
        # ...else the column's.
        (b'<row r="5" s="4"><c r="A5"/></row>', {1: "x"}, False, {1: b"3"}, "3"),
        (b'<row r="5"><c r="A5"/></row>', {1: "x"}, False, {}, ""),
    ],
)
def test_the_style_of_a_new_cell(
    row: bytes, writes: dict[int, str], header: bool, styles: dict[int, bytes], style: str
) -> None:
    number = 1 if header else 5
    result = patch_row(row, number, writes, styles, header).data.decode()
    assert inline(f"B{number}", writes[1], style) in result


def test_spans_of_several_ranges_are_dropped() -> None:
    row = b'<row r="5" spans="1:2 4:5"><c r="A5"/></row>'
    assert patched(row, {6: "x"}).startswith(b'<row r="5">')


def test_a_row_without_an_element_is_made() -> None:
    assert new_row(b"x:", 10, {1: "a", 3: "", 2: "b&c"}, {2: b"6"}).decode() == (
        '<x:row r="10">'
        + inline("B10", "a", prefix="x:")
        + inline("C10", "b&amp;c", "6", prefix="x:")
        + "</x:row>"
    )
    assert new_row(b"", 10, {1: ""}, {}) == b""
