"""A worksheet streamed row by row: rows patched or made in order, the dimension widened, what
follows the rows handed back, and formulas the write would break refused."""

from __future__ import annotations

import io

import pytest

from runner.errors import SheetError
from runner.sheet.refs import Area
from runner.sheet.sheetstream import Rewritten, Writes, rewrite_sheet
from runner.sheet.xmlscan import Damaged
from tests.support.excelbook import sheet_xml

HEAD = '<dimension ref="A1:B3"/>'


def run(xml: str, writes: Writes) -> tuple[str, Rewritten]:
    out = io.BytesIO()
    result = rewrite_sheet(io.BytesIO(xml.encode()), out, writes, "leads.xlsx")
    return out.getvalue().decode() + result.tail.data.decode(), result


def writes(values: dict[int, tuple[str, ...]], header: dict[int, str] | None = None) -> Writes:
    return Writes(1, header or {}, (2, 3), values)


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_rows_are_patched_and_made_in_order() -> None:
    rows = '<row r="1"><c r="A1"/></row><row r="3"><c r="A3"/></row><row r="5"><c r="A5"/></row>'
    text, _ = run(
        sheet_xml(rows, head='<dimension ref="A1:A5"/>'),
        writes({2: ("a", ""), 3: ("b", "c"), 7: ("d", "e")}, {2: "status", 3: "detail"}),
    )
    assert text == sheet_xml(
        '<row r="1"><c r="A1"/>' + cell("C1", "status") + cell("D1", "detail") + "</row>"
        '<row r="2">' + cell("C2", "a") + "</row>"
        '<row r="3"><c r="A3"/>' + cell("C3", "b") + cell("D3", "c") + "</row>"
        '<row r="5"><c r="A5"/></row>'
        '<row r="7">' + cell("C7", "d") + cell("D7", "e") + "</row>",
        head='<dimension ref="A1:D7"/>',
    )


def test_an_empty_sheet_gets_its_rows() -> None:
    xml = sheet_xml("", head='<dimension ref="A1"/>').replace(
        "<sheetData></sheetData>", "<sheetData/>"
    )
    text, _ = run(xml, writes({2: ("a", "")}, {2: "status"}))
    assert text == sheet_xml(
        '<row r="1">' + cell("C1", "status") + '</row><row r="2">' + cell("C2", "a") + "</row>",
        head='<dimension ref="A1:C2"/>',
    )


def test_comments_between_rows_and_a_sheet_without_dimension() -> None:
    rows = '<row r="1"><c r="A1"/></row><!-- <row r="2"/> --><?pi x?>\n<row r="4"/>'
    text, _ = run(sheet_xml(rows, head=""), writes({2: ("a", "")}))
    assert text == sheet_xml(
        '<row r="1"><c r="A1"/></row><!-- <row r="2"/> --><?pi x?>\n'
        '<row r="2">' + cell("C2", "a") + '</row><row r="4"/>',
        head="",
    )


def test_small_reads_cut_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[</row><row r="2">]]></t></is></c>'
        '<!-- </row> --></row><row r="2" spans="1:1"><c r="A2"><v>1</v></c></row>'
    )
    xml = sheet_xml(rows, tail='<mergeCells count="1"><mergeCell ref="A9:B9"/></mergeCells>')
    whole = run(xml, writes({2: ("x", "y")}))
    monkeypatch.setattr("runner.sheet.sheetstream._CHUNK", 1)
    assert run(xml, writes({2: ("x", "y")})) == whole
    assert whole[1].tail.merges == (Area(0, 9, 1, 9),)


def test_the_tail_holds_the_sheets_filter_not_a_custom_views() -> None:
    tail = (
        '<autoFilter ref="A1:B3"><filterColumn colId="0"/></autoFilter>'
        '<customSheetViews><customSheetView guid="{X}"><autoFilter ref="A1:A2"/></customSheetView>'
        '</customSheetViews><mergeCells count="2"><mergeCell ref="C5:D6"/><mergeCell ref="F1"/>'
        "</mergeCells>"
    )
    _, result = run(sheet_xml("", tail=tail), writes({}))
    assert result.tail.autofilter is not None
    start, end, area = result.tail.autofilter
    assert (result.tail.data[start:end], area) == (b'<autoFilter ref="A1:B3">', Area(0, 1, 1, 3))
    assert result.tail.merges == (Area(2, 5, 3, 6), Area(5, 1, 5, 1))
    assert result.tail.with_filter(Area(0, 1, 3, 3)).startswith(b'<autoFilter ref="A1:D3">')


def test_formulas_replaced_are_reported() -> None:
    rows = '<row r="2"><c r="C2"><f>A2*2</f><v>2</v></c><c r="D2"><v>1</v></c></row>'
    _, result = run(sheet_xml(rows), writes({2: ("a", "b")}))
    assert result.formulas == ("C2",)


def test_a_shared_formula_others_use_is_not_replaced() -> None:
    rows = (
        '<row r="2"><c r="C2"><f t="shared" ref="C2:C3" si="0">A2*2</f><v>2</v></c></row>'
        '<row r="3"><c r="C3"><f t="shared" si="0"/><v>4</v></c></row>'
    )
    with pytest.raises(SheetError) as caught:
        run(sheet_xml(rows), writes({2: ("a", "")}))
    assert str(caught.value) == (
        "leads.xlsx: row 2: cell C2 holds a formula that other cells in C2:C3 copy; clear those "
        "formulas (or move them out of the status columns) so the status can be written there"
    )
    _, result = run(sheet_xml(rows), writes({2: ("a", ""), 3: ("b", "")}))  # all of them: fine
    assert result.formulas == ("C2", "C3")


def test_a_cell_inside_an_array_formulas_result_is_not_written() -> None:
    rows = (
        '<row r="2"><c r="B2" cm="1"><f t="array" ref="B2:C3">SEQUENCE(2,2)</f><v>1</v></c>'
        '<c r="C2"><v>2</v></c></row><row r="3"><c r="B3"><v>3</v></c><c r="C3"><v>4</v></c></row>'
    )
    with pytest.raises(SheetError) as caught:
        run(sheet_xml(rows), writes({3: ("a", "")}))
    assert str(caught.value) == (
        "leads.xlsx: row 3: cell C3 holds part of the result of the formula in B2 (B2:C3); move "
        "that formula out of the status columns so the status can be written there"
    )
    run(sheet_xml(rows), writes({4: ("a", "")}))  # below it: fine


@pytest.mark.parametrize(
    ("xml", "detail"),
    [
        (sheet_xml('<row r="3"/><row r="2"/>'), "row 2 comes after row 3"),
        (sheet_xml("<c/>"), "<sheetData> holds a <c>"),
        (sheet_xml('<row r="2"><c r="C2">'), "ends inside a <row>"),
        ('<chartsheet xmlns="urn:x"><sheetData/></chartsheet>', "not a worksheet"),
        (sheet_xml("").replace("<sheetData></sheetData>", ""), "has no <sheetData>"),
    ],
)
def test_what_is_not_a_worksheet_is_damaged(xml: str, detail: str) -> None:
    with pytest.raises(Damaged, match=detail):
        run(xml, writes({2: ("a", "b")}))
