"""A1 references: columns 0-based, rows 1-based, areas as Excel writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.sheet.refs import Area, cell_name, column_index, column_name, parse_area, parse_cell


@given(st.integers(min_value=0, max_value=16383))
def test_column_names_round_trip(col: int) -> None:
    assert column_index(column_name(col)) == col


@pytest.mark.parametrize(
    ("col", "name"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (16383, "XFD")]
)
def test_column_names(col: int, name: str) -> None:
    assert column_name(col) == name
    assert column_index(name.lower()) == col


def test_cells_and_areas() -> None:
    assert parse_cell("C5") == (5, 2)
    assert parse_cell("$AB$10") == (10, 27)
    assert parse_cell("C0") is None
    assert parse_cell("XFE1") is None  # beyond Excel's last column
    assert parse_cell("Sheet1!A1") is None
    assert parse_area("D51:A1") == Area(0, 1, 3, 51)  # either corner first
    assert parse_area("C5") == Area(2, 5, 2, 5)
    assert parse_area("A1 C3") is None  # two areas are not one rectangle
    assert str(Area(0, 1, 10, 9)) == "A1:K9"
    assert str(Area(2, 5, 2, 5)) == "C5"
    assert Area(0, 1, 10, 9).absolute() == "$A$1:$K$9"
    assert cell_name(7, 27) == "AB7"


def test_area_geometry() -> None:
    area = Area(1, 2, 3, 4)  # B2:D4
    assert area.holds(2, 1) and area.holds(4, 3)
    assert not area.holds(5, 1) and not area.holds(2, 0)
    assert area.overlaps(Area(3, 4, 9, 9))
    assert not area.overlaps(Area(4, 1, 9, 9))
    assert area.union(Area(6, 1, 6, 1)) == Area(1, 1, 6, 4)
