"""Helpers for the sheet tests: statuses to write, errors and leftovers to check, and the
round trip of arbitrary text both formats are put through.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from runner.errors import SheetError
from runner.sheet import STATUS_COLUMNS, fold_header, read_table, write_statuses
from runner.status import Status, StatusCells

SENT = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", "urn:li:fsd_profile:ACoAA1", "ann-1")
FAILED = StatusCells(Status.FAILED, '=HYPERLINK("http://evil","x")', "", "")


def error(call: Callable[..., object], *args: object) -> str:
    with pytest.raises(SheetError) as caught:
        call(*args)
    return str(caught.value)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def make_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return book


# Round trips of arbitrary text, for both formats ---------------------------------------------

PIECES = st.sampled_from(
    [
        "=",
        "=SUM(A1)",
        "+",
        "-",
        "@",
        '"',
        "'",
        ",",
        ";",
        "\t",
        "|",
        "\n",
        "\r",
        "\r\n",
        " ",
        "😀",
        "é€",
    ]
)
CSV_TEXT = st.lists(st.characters(exclude_categories=("Cs",)) | PIECES, max_size=6).map("".join)
STATUS_KEYS = {fold_header(name) for name in STATUS_COLUMNS}
Grid = tuple[list[str], list[list[str]]]
Statuses = list[StatusCells]


@st.composite
def grids(draw: st.DrawFn, text: st.SearchStrategy[str]) -> Grid:
    header = text.filter(lambda h: fold_header(h) != "" and fold_header(h) not in STATUS_KEYS)
    # Two columns at least: a one-column CSV has no delimiter to tell which one it uses.
    headers = draw(st.lists(header, min_size=2, max_size=4, unique_by=fold_header))
    row = st.lists(text, min_size=len(headers), max_size=len(headers))
    rows = draw(st.lists(row, max_size=5))
    return headers, [*rows, ["x"] * len(headers)]  # at least one data row


def statuses(text: st.SearchStrategy[str]) -> st.SearchStrategy[Statuses]:
    cells = st.builds(StatusCells, st.sampled_from(list(Status)), text, text, text)
    return st.lists(cells, min_size=1, max_size=3)


def check_round_trip(path: Path, grid: Grid, choices: Statuses) -> None:
    headers, rows = grid
    table = read_table(path)
    assert table.headers == tuple(headers)
    expected = {n: tuple(r) for n, r in enumerate(rows, start=2) if any(r)}
    assert {r.number: r.cells for r in table.rows} == expected

    chosen = {n: choices[i % len(choices)] for i, n in enumerate(expected)}
    write_statuses(table, chosen, path)
    again = read_table(path)
    width = len(headers)
    assert again.headers == (*headers, *STATUS_COLUMNS)
    assert {r.number: r.cells[:width] for r in again.rows} == expected
    for row in again.rows:
        neutral = ("=", "+", "-", "@", "\t", "\r")
        texts = chosen[row.number].texts()
        shown = tuple("'" + v if v.startswith(neutral) else v for v in texts)
        assert row.cells[width:] == shown


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
