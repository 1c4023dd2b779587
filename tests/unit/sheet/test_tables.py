"""Tables and the sheet's filter: read from their parts, widened over the status columns when
they sit right next to them, left with a note when that is not safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.sheet.package import Package
from runner.sheet.refs import Area, parse_area
from runner.sheet.tables import (
    TableEdit,
    TablePart,
    edit_table,
    plan_filters,
    sheet_pivots,
    sheet_tables,
    widened,
)
from tests.support.excelbook import CT, RT, TABLE, leads_book, minimal_book, sheet_xml

STATUS = {3: "status", 4: "status_detail"}


def table(ref: str = "A1:C6", **changes: object) -> TablePart:
    area = parse_area(ref)
    assert area is not None
    fields: dict[str, object] = {
        "part": "xl/tables/table1.xml",
        "name": "Contacts",
        "ref": area,
        "header_rows": 1,
        "totals_rows": 1,
        "columns": ("Name", "Email", "Amount"),
        "ids": (1, 2, 3),
        "filter_ref": Area(area.col1, area.row1, area.col2, area.row2 - 1),
        "filtered": False,
        "kind": "worksheet",
    }
    fields.update(changes)
    return TablePart(**fields)


def test_tables_are_read_from_the_sheets_relationships(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    with Package(path) as package:
        assert sheet_tables(package, "xl/worksheets/sheet3.xml") == (table(filtered=True),)
        assert sheet_tables(package, "xl/worksheets/sheet2.xml") == ()


@pytest.mark.parametrize(
    ("area", "columns", "grown"),
    [
        ("A1:C6", [3, 4], "A1:E6"),  # right next to it
        ("A1:C6", [2, 3], "A1:D6"),  # partly inside already
        ("A1:C6", [1, 2], "A1:C6"),  # inside
        ("A1:C6", [4, 5], None),  # a column between
        ("A1:C6", [3, 5], None),  # not contiguous
        ("A2:C6", [3, 4], None),  # its header is another row
    ],
)
def test_widened(area: str, columns: list[int], grown: str | None) -> None:
    old = parse_area(area)
    assert old is not None
    assert widened(old, 1, columns) == (parse_area(grown) if grown else None)


def test_the_plan_widens_what_it_safely_can() -> None:
    plan = plan_filters([table()], None, [], 1, STATUS, frozenset({3, 4}))
    assert plan.tables == (TableEdit(table(), Area(0, 1, 4, 6), ("status", "status_detail")),)
    assert (plan.sheet_filter, plan.notes) == (None, ())


@pytest.mark.parametrize(
    ("tables", "merges", "note"),
    [
        (
            [table(kind="queryTable")],
            [],
            'Table "Contacts" (A1:C6) is fed by a query or an XML map, so it was not widened '
            "to A1:E6",
        ),
        (
            [table(columns=("Name", "Status", "Amount"))],
            [],
            'Table "Contacts" (A1:C6) already has a column named like a status column; it was '
            "not widened",
        ),
        (
            [table()],
            [Area(4, 6, 5, 6)],
            'Table "Contacts" (A1:C6) was not widened to A1:E6: other cells there are merged or '
            "in a Table",
        ),
        (
            [table(), table("E1:F3", name="Other")],
            [],
            'Table "Contacts" (A1:C6) was not widened to A1:E6: other cells there are merged or '
            "in a Table",
        ),
    ],
)
def test_notes_say_why_a_table_was_left(
    tables: list[TablePart], merges: list[Area], note: str
) -> None:
    plan = plan_filters(tables, None, merges, 1, STATUS, frozenset({3, 4}))
    assert plan.tables == ()
    assert plan.notes[0] == note


def test_the_sheets_filter_is_widened_like_a_table() -> None:
    sheet_filter = Area(0, 1, 2, 9)
    plan = plan_filters([], sheet_filter, [], 1, STATUS, frozenset())
    assert plan.sheet_filter == Area(0, 1, 4, 9)
    apart = plan_filters([], sheet_filter, [], 1, {5: "status"}, frozenset())
    assert apart.sheet_filter is None
    assert apart.notes == (
        "the sheet's filter (A1:C9) does not reach the status columns F:F (they are not right "
        "next to it); sorting or filtering it will not move the statuses with their rows",
    )
    elsewhere = plan_filters([], Area(0, 20, 2, 30), [], 1, STATUS, frozenset())
    assert (elsewhere.sheet_filter, elsewhere.notes) == (None, ())  # another header row


def test_a_new_header_inside_a_table_renames_its_column() -> None:
    plan = plan_filters(
        [table("A1:D6", columns=("Name", "Email", "Amount", "Column1"), ids=(1, 2, 3, 4))],
        None,
        [],
        1,
        STATUS,
        frozenset({3, 4}),
    )
    (edit,) = plan.tables
    assert (edit.ref, edit.added, dict(edit.renamed)) == (
        Area(0, 1, 4, 6),
        ("status_detail",),
        {3: "status"},
    )


def test_editing_a_table_part_changes_only_its_refs_count_and_columns() -> None:
    data = TABLE.encode()
    edit = TableEdit(table(), Area(0, 1, 4, 6), ("status", 'a "quoted" & <name>'), {1: "Mail"})
    assert edit_table(data, edit) == (
        data.replace(b'ref="A1:C6"', b'ref="A1:E6"')
        .replace(b'<autoFilter ref="A1:C5"', b'<autoFilter ref="A1:E5"')
        .replace(b'count="3"', b'count="5"')
        .replace(b'name="Email"', b'name="Mail"')
        .replace(
            b"</tableColumns>",
            b'<tableColumn id="4" name="status"/>'
            b'<tableColumn id="5" name="a &quot;quoted&quot; &amp; &lt;name&gt;"/></tableColumns>',
        )
    )


def test_a_prefixed_table_part(tmp_path: Path) -> None:
    part = (
        '<x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" '
        'name="T" displayName="T" ref="A1:B3" headerRowCount="1"><x:tableColumns count="2">'
        '<x:tableColumn id="1" name="a"/><x:tableColumn id="7" name="b"/></x:tableColumns>'
        "</x:table>"
    )
    path = tmp_path / "leads.xlsx"
    minimal_book(
        path,
        sheet_xml(""),
        extra=[("xl/tables/t.xml", part)],
        sheet_rels=f'<Relationship Id="rId1" Type="{RT}table" Target="/xl/tables/t.xml"/>',
        types=f'<Override PartName="/xl/tables/t.xml" ContentType="{CT}spreadsheetml.table+xml"/>',
    )
    with Package(path) as package:
        (found,) = sheet_tables(package, "xl/worksheets/sheet1.xml")
    assert (found.name, found.columns, found.ids, found.filter_ref) == (
        "T",
        ("a", "b"),
        (1, 7),
        None,
    )
    edited = edit_table(part.encode(), TableEdit(found, Area(0, 1, 2, 3), ("status",)))
    assert edited.endswith(b'<x:tableColumn id="8" name="status"/></x:tableColumns></x:table>')


def test_pivot_tables_are_found_with_the_cells_they_cover(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads_book(path)
    with Package(path) as package:
        assert sheet_pivots(package, "xl/worksheets/sheet4.xml") == (
            ("PivotTable1", Area(0, 3, 1, 7)),
        )
        assert sheet_pivots(package, "xl/worksheets/sheet2.xml") == ()
