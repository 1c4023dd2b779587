"""A worksheet streamed row by row: rows patched or made in order, the dimension widened, what
follows the rows handed back, and formulas the write would break refused."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from runner.errors import SheetError
from runner.sheet import sheetstream
from runner.sheet.refs import Area
from runner.sheet.sheetstream import Rewritten, rewrite_sheet
from runner.sheet.writes import Writes
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


# Rows a reader found numbered and in order: those not written are copied unread. The output
# must be the same as when every row is read, whatever the rows hold and wherever reads cut.
_PLAIN = "".join(
    f'<row r="{n}" spans="1:2"><c r="A{n}" t="inlineStr"><is><t>p{n}</t></is></c></row>'
    for n in range(1, 30)
    if n not in (12, 20)  # rows the sheet has no element for: a write there inserts one
)
_TRICKY = (
    '<row r="1"><c r="A1"/></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<row r="5"/> r="5"]]></t></is></c></row>'
    '<!-- <row r="6"/> --><?pi <row r="6"/>?>'
    '<row r="3"><c r="A3" t="inlineStr"><is><t>say r="5" and r=\'6\'</t></is></c></row>'
    '<row r = \'4\' ht="15"><c r="A4"><f>1+1</f><v>2</v></c></row>'
    '<row r="5"><c r="A5"/></row><row r="7"/><row r="9"><c r="B9"><v>9</v></c></row>'
)
# A row to write that the sheet has no element for, named in a comment and in CDATA before it.
_HIDDEN_TAGS = (
    '<row r="1"><c r="A1"/></row><row r="2"><c r="A2" t="inlineStr"><is><t>'
    '<![CDATA[<row r="6"/>]]></t></is></c></row><!-- <row r="6"/> --><row r="3"/><row r="5"/>'
    '<?pi <row r="6"/>?><row r="7"/><row r="8"/>'
)
_PREFIXED = (
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<x:sheetData>"
    + "".join(f'<x:row r="{n}"><x:c r="A{n}"><x:v>{n}</x:v></x:c></x:row>' for n in (1, 2, 4, 8))
    + "</x:sheetData></x:worksheet>"
)


def _both(xml: str, values: dict[int, tuple[str, ...]]) -> tuple[object, object]:
    """The rewrite with every row read, and with the rows not written passed over."""
    outcomes = []
    for in_order in (False, True):
        try:
            outcomes.append(run(xml, replace(writes(values), rows_in_order=in_order)))
        except (SheetError, Damaged) as err:
            outcomes.append((type(err), str(err)))
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize(
    ("rows", "written"),
    [
        (_PLAIN, [3]),
        (_PLAIN, [2, 3, 29]),
        (_PLAIN, [12, 20, 40]),  # inserted between rows, and after the last
        (_PLAIN, [11, 12, 13, 28]),
        (_PLAIN, []),
        (_PLAIN, list(range(2, 30))),  # every row: the passes back off
        (_PLAIN, list(range(2, 30, 2)) + [27]),
        (_TRICKY, [5]),
        (_TRICKY, [4, 6, 8, 9]),
        (_TRICKY, [2, 3]),
        (_HIDDEN_TAGS, [6]),
        (_HIDDEN_TAGS, [3, 6, 8]),
    ],
)
def test_rows_passed_over_are_copied_as_they_are(
    monkeypatch: pytest.MonkeyPatch, chunk: int, rows: str, written: list[int]
) -> None:
    monkeypatch.setattr("runner.sheet.sheetstream._CHUNK", chunk)
    every_row_read, passed_over = _both(sheet_xml(rows), {n: ("s", "d") for n in written})
    assert passed_over == every_row_read


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_a_prefixed_sheet_passes_its_rows_over_too(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr("runner.sheet.sheetstream._CHUNK", chunk)
    every_row_read, passed_over = _both(_PREFIXED, {4: ("s", "d"), 6: ("t", "")})
    assert passed_over == every_row_read


def test_only_the_rows_written_and_those_with_formulas_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What makes a checkpoint of a few rows cheap: the other rows are not read."""
    read: list[int] = []
    real = sheetstream._Pass.row

    def row(self: sheetstream._Pass, number: int, *args: object) -> None:
        read.append(number)
        real(self, number, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sheetstream._Pass, "row", row)
    rows = _PLAIN.replace(
        '<row r="17" spans="1:2">', '<row r="17" spans="1:2"><c r="B17"><f>1</f></c>'
    )
    run(sheet_xml(rows), replace(writes({5: ("s", ""), 23: ("t", "")}), rows_in_order=True))
    # Each row read is one a pass over plain rows stopped at: the row before a formula or a
    # write is read to find where that starts.
    assert 5 in read and 23 in read and 17 in read and len(read) <= 8, read
    read.clear()
    run(sheet_xml(rows), writes({5: ("s", ""), 23: ("t", "")}))
    assert len(read) == 27  # not vouched in order: every row is read


def test_a_trial_finds_the_damage_the_write_would() -> None:
    """The dry run's trial passes over rows only where the reader vouched them in order: in a
    sheet it did not, rows out of order are damage to the trial as to the write."""
    xml = sheet_xml('<row r="1"/><row r="5"/><row r="3"/><row r="6"/>').encode()
    for trial in (False, True):
        with pytest.raises(Damaged, match="row 3 comes after row 5"):
            rewrite_sheet(io.BytesIO(xml), io.BytesIO(), writes({6: ("x", "")}), "l.xlsx", trial)
