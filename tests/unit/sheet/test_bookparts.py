"""The workbook-wide parts a write touches: the filter's defined name, the calculation chain."""

from __future__ import annotations

from runner.sheet.bookparts import (
    drop_content_type,
    drop_from_chain,
    drop_relationship,
    widen_filter_name,
)
from runner.sheet.refs import Area

BOOK = (
    b'<workbook xmlns="urn:main"><sheets/><definedNames>'
    b'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
    b"Notes!$A$1:$B$5</definedName>"
    b'<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'
    b"'Q&amp;A leads'!$A$1:$G$9</definedName>"
    b"</definedNames></workbook>"
)
OLD, NEW = Area(0, 1, 6, 9), Area(0, 1, 10, 9)


def test_the_filter_name_of_that_sheet_is_widened() -> None:
    assert widen_filter_name(BOOK, 1, OLD, NEW) == BOOK.replace(
        b"'Q&amp;A leads'!$A$1:$G$9", b"'Q&amp;A leads'!$A$1:$K$9"
    )
    assert widen_filter_name(BOOK, 2, OLD, NEW) is None  # no name for that sheet
    assert widen_filter_name(BOOK, 1, Area(0, 1, 5, 9), NEW) is None  # it covers other cells


CHAIN = (
    b'<calcChain xmlns="urn:main"><c r="B2" i="1"/><c r="C2" i="2" l="1"/><c r="C3"/>'
    b'<c r="D3"/><c r="C4" i="1"/></calcChain>'
)


def test_replaced_formulas_leave_the_chain() -> None:
    # C2 carried i="2" and l="1" for the entries after it: C3 takes them over.
    assert drop_from_chain(CHAIN, "2", {"C2"}) == (
        b'<calcChain xmlns="urn:main"><c r="B2" i="1"/><c r="C3" i="2" l="1"/>'
        b'<c r="D3"/><c r="C4" i="1"/></calcChain>'
    )
    # Only cells of the sheet asked for: C4 is on sheet 1.
    assert drop_from_chain(CHAIN, "2", {"C3", "C4"}) == (
        b'<calcChain xmlns="urn:main"><c r="B2" i="1"/><c r="C2" i="2" l="1"/>'
        b'<c r="D3"/><c r="C4" i="1"/></calcChain>'
    )
    assert drop_from_chain(b'<calcChain><c r="A1" i="3"/></calcChain>', "3", {"A1"}) is None


def test_a_part_dropped_leaves_its_content_type_and_relationship() -> None:
    types = (
        b'<Types><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/calcChain.xml" ContentType="x"/><Override PartName="/a" '
        b'ContentType="y"/></Types>'
    )
    assert drop_content_type(types, "xl/calcChain.xml") == types.replace(
        b'<Override PartName="/xl/calcChain.xml" ContentType="x"/>', b""
    )
    rels = (
        b'<Relationships><Relationship Id="rId1" Target="a"/>'
        b'<Relationship Id="rId8" Target="calcChain.xml"/></Relationships>'
    )
    assert drop_relationship(rels, "rId8") == (
        b'<Relationships><Relationship Id="rId1" Target="a"/></Relationships>'
    )
