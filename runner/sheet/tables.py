"""Excel Tables and the sheet's filter: what they cover, and widening them to the status columns.

A Table is its own part (`xl/tables/tableN.xml`), linked from the sheet's relationships. When
the runner's columns sit right next to a Table (or inside it) whose header row is the runner's,
the Table is widened over them: its `ref`, its inner `autoFilter` ref (which leaves out a totals
row), and a `<tableColumn>` per new column named as its header cell (Excel "repairs" a file
where they differ). Excel then sorts and filters the statuses with their rows. The sheet's own
filter (`<autoFilter>` in the sheet) is widened the same way. What cannot be widened safely is
left as it is, and a note says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .package import Package, rel_type, tags
from .refs import Area, column_name, parse_area
from .xmlscan import attribute_text, excel_text, local, set_attribute, tokens

_CRITERIA = ("filters", "customFilters", "top10", "dynamicFilter", "colorFilter", "iconFilter")


@dataclass(frozen=True)
class TablePart:
    """An Excel Table. `name` is its display name (the one formulas and the Name Box use);
    `filter_ref` its autoFilter's range, `filtered` whether that has criteria set."""

    part: str
    name: str
    ref: Area
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]
    ids: tuple[int, ...]
    filter_ref: Area | None
    filtered: bool
    kind: str  # "worksheet"; "queryTable" and "xml" are fed from elsewhere


@dataclass(frozen=True)
class TableEdit:
    table: TablePart
    ref: Area
    added: tuple[str, ...]  # names of the columns appended
    renamed: Mapping[int, str] = field(default_factory=dict)  # column index -> new name


@dataclass(frozen=True)
class FilterPlan:
    """What to widen: Tables, the sheet's filter (its new ref), and notes on what was not."""

    tables: tuple[TableEdit, ...]
    sheet_filter: Area | None
    notes: tuple[str, ...]


def sheet_tables(package: Package, sheet_part: str) -> tuple[TablePart, ...]:
    rels = package.rels(sheet_part).values()
    parts = [r.target for r in rels if rel_type(r.type, "table") and not r.external]
    return tuple(_read_table(package, part) for part in parts)


def sheet_pivots(package: Package, sheet_part: str) -> tuple[tuple[str, Area], ...]:
    """The pivot tables on the sheet: name and the cells their report covers (Excel and
    LibreOffice write the report over those cells again when they refresh it)."""
    found = []
    for rel in package.rels(sheet_part).values():
        if rel_type(rel.type, "pivotTable") and not rel.external:
            root = package.xml(rel.target)
            location = next(root.iter(*tags("location")), None)
            area = parse_area(location.get("ref", "")) if location is not None else None
            if area is not None:
                found.append((str(root.get("name", "")), area))
    return tuple(found)


def has_criteria(autofilter: Any) -> bool:
    """Whether an `<autoFilter>` element filters: a filterColumn with a condition in it
    (one that only hides its drop-down button filters nothing)."""
    return any(
        child.tag.rpartition("}")[2] in _CRITERIA
        for column in autofilter.iter(*tags("filterColumn"))
        for child in column
    )


def _read_table(package: Package, part: str) -> TablePart:
    root = package.xml(part)
    ref = parse_area(root.get("ref", ""))
    if root.tag not in tags("table") or ref is None:
        raise package.damaged(f"{part} is not a table part")
    columns = list(root.iter(*tags("tableColumn")))
    autofilter = next(root.iterchildren(*tags("autoFilter")), None)
    try:
        ids = tuple(int(c.get("id", "")) for c in columns)
        header_rows, totals_rows = (
            int(root.get("headerRowCount", "1")),
            int(root.get("totalsRowCount", "0")),
        )
    except ValueError as err:
        raise package.damaged(f"{part}: {err}") from err
    return TablePart(
        part=part,
        name=excel_text(root.get("displayName") or root.get("name", "")),
        ref=ref,
        header_rows=header_rows,
        totals_rows=totals_rows,
        columns=tuple(excel_text(c.get("name", "")) for c in columns),
        ids=ids,
        filter_ref=parse_area(autofilter.get("ref", "")) if autofilter is not None else None,
        filtered=autofilter is not None and has_criteria(autofilter),
        kind=root.get("tableType", "worksheet"),
    )


# Deciding ------------------------------------------------------------------------------------


def widened(area: Area, header_row: int, columns: Sequence[int]) -> Area | None:
    """`area` grown right over `columns` when its first row is the header row and the columns
    lie inside it or right next to it, with no gap; else None."""
    if area.row1 != header_row:
        return None
    outside = sorted(c for c in set(columns) if not area.col1 <= c <= area.col2)
    if outside != list(range(area.col2 + 1, area.col2 + 1 + len(outside))):
        return None
    return replace(area, col2=area.col2 + len(outside))


def plan_filters(
    tables: Sequence[TablePart],
    sheet_filter: Area | None,
    merges: Sequence[Area],
    header_row: int,
    names: Mapping[int, str],
    new: frozenset[int],
    anchor: int | None = None,
) -> FilterPlan:
    """Which of `tables` and the sheet's filter to widen over the columns in `names` (column ->
    header text; `new`: the columns whose header cell the runner writes). With an `anchor`
    column, only those that hold it: the others are about other data."""
    edits: list[TableEdit] = []
    notes: list[str | None] = []
    for table in tables:
        if not _holds(table.ref, anchor):
            continue
        others = [t.ref for t in tables if t is not table]
        others += [sheet_filter, *merges] if sheet_filter else merges
        edit, note = _plan_table(table, header_row, names, new, others)
        edits += [edit] if edit else []
        notes.append(note)
    new_filter = None
    if sheet_filter is not None and _holds(sheet_filter, anchor):
        blocked = [t.ref for t in tables] + list(merges)
        new_filter, note = _plan_sheet_filter(sheet_filter, header_row, sorted(names), blocked)
        notes.append(note)
    return FilterPlan(tuple(edits), new_filter, tuple(n for n in notes if n))


def _holds(area: Area, column: int | None) -> bool:
    return column is None or area.col1 <= column <= area.col2


def _plan_sheet_filter(
    area: Area, header_row: int, columns: Sequence[int], blocked: Sequence[Area]
) -> tuple[Area | None, str | None]:
    label = f"the sheet's filter ({area})"
    grown = widened(area, header_row, columns)
    if grown is None:
        return None, _apart(label, area, header_row, columns)
    if grown == area:
        return None, None
    if _blocked(area, grown, blocked):
        return (
            None,
            f"{label} was not widened to {grown}: other cells there are merged or in a Table",
        )
    return grown, None


def _plan_table(
    table: TablePart,
    header_row: int,
    names: Mapping[int, str],
    new: frozenset[int],
    blocked: Sequence[Area],
) -> tuple[TableEdit | None, str | None]:
    label = f'Table "{table.name}" ({table.ref})'
    columns = sorted(names)
    grown = widened(table.ref, header_row, columns) if table.header_rows == 1 else None
    if grown is None:
        return None, _apart(label, table.ref, header_row, columns)
    added = tuple(names[c] for c in columns if c > table.ref.col2)
    renamed = {
        c - table.ref.col1: names[c]
        for c in columns
        if c in new and c <= table.ref.col2 and table.columns[c - table.ref.col1] != names[c]
    }
    if not added and not renamed:
        return None, None
    final = [renamed.get(i, n) for i, n in enumerate(table.columns)] + list(added)
    if table.kind != "worksheet":
        return None, f"{label} is fed by a query or an XML map, so it was not widened to {grown}"
    if len({n.casefold() for n in final}) != len(final):
        return None, f"{label} already has a column named like a status column; it was not widened"
    if _blocked(table.ref, grown, blocked):
        return (
            None,
            f"{label} was not widened to {grown}: other cells there are merged or in a Table",
        )
    return TableEdit(table, grown, added, renamed), None


def _apart(label: str, area: Area, header_row: int, columns: Sequence[int]) -> str | None:
    """A note when the status columns belong with `area` (same header row, it starts left of
    them) but cannot join it: sorting it would not move the statuses."""
    if area.row1 != header_row or area.col1 > min(columns):
        return None
    span = f"{column_name(min(columns))}:{column_name(max(columns))}"
    return (
        f"{label} does not reach the status columns {span} (they are not right next to it); "
        "sorting or filtering it will not move the statuses with their rows"
    )


def _blocked(area: Area, grown: Area, others: Sequence[Area]) -> bool:
    added = Area(area.col2 + 1, area.row1, grown.col2, grown.row2)
    return grown.col2 > area.col2 and any(added.overlaps(other) for other in others)


# Writing -------------------------------------------------------------------------------------


def edit_table(data: bytes, edit: TableEdit) -> bytes:
    """The table part `data` with `edit` made; every other byte as it was."""
    table = edit.table
    pieces, last = [], 0
    depth, index, parent = 0, 0, b""
    columns_prefix = b""
    for token in tokens(data, 0, table.part):
        if token["end"] is not None:
            depth -= 1
            if depth == 1 and parent == b"tableColumns":
                pieces += [
                    data[last : token.start()],
                    _new_columns(columns_prefix, table, edit.added),
                ]
                last = token.start()
            continue
        if token["name"] is None:
            continue
        name, tag = local(token["name"]), token[0]
        new_tag = tag
        if depth == 0:
            new_tag = set_attribute(tag, b"ref", str(edit.ref))
        elif depth == 1 and name == b"autoFilter" and table.filter_ref is not None:
            new_tag = set_attribute(tag, b"ref", str(replace(table.filter_ref, col2=edit.ref.col2)))
        elif depth == 1 and name == b"tableColumns":
            columns_prefix = token["name"][: -len(b"tableColumns")]
            new_tag = set_attribute(tag, b"count", str(len(table.columns) + len(edit.added)))
        elif depth == 2 and parent == b"tableColumns" and name == b"tableColumn":
            if index in edit.renamed:
                new_tag = set_attribute(tag, b"name", edit.renamed[index])
            index += 1
        if depth == 1:
            parent = name
        if new_tag != tag:
            pieces += [data[last : token.start()], new_tag]
            last = token.end()
        depth += 0 if token["empty"] else 1
    return b"".join([*pieces, data[last:]])


def _new_columns(prefix: bytes, table: TablePart, names: Sequence[str]) -> bytes:
    first = max(table.ids, default=0) + 1
    return b"".join(
        b"<"
        + prefix
        + b'tableColumn id="'
        + str(first + i).encode()
        + b'" name="'
        + attribute_text(name)
        + b'"/>'
        for i, name in enumerate(names)
    )
