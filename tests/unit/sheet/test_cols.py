"""`<cols>`: the styles it gives the runner's columns, and a width for each it leaves unsized,
placed in column order, never over a column the sheet sizes already."""

from __future__ import annotations

import pytest

from runner.sheet.cols import col_styles, new_cols, widen_cols
from runner.sheet.xmlscan import Damaged

COLS = (
    b'<cols><col min="1" max="1" width="20" customWidth="1"/>'
    b'<col min="9" max="9" width="30" style="6" customWidth="1"/></cols>'
)


def test_a_width_for_each_column_no_col_covers_placed_in_order() -> None:
    widened = widen_cols(COLS, {7: 11, 8: 40, 9: 21})
    assert widened == (
        b'<cols><col min="1" max="1" width="20" customWidth="1"/>'
        b'<col min="8" max="8" width="11" customWidth="1"/>'
        b'<col min="9" max="9" width="30" style="6" customWidth="1"/>'
        b'<col min="10" max="10" width="21" customWidth="1"/></cols>'
    )


def test_columns_the_sheet_sizes_are_left_as_they_are() -> None:
    every = b'<x:cols><x:col min="1" max="16384" width="14.625" style="1"/></x:cols>'
    assert widen_cols(every, {7: 11, 8: 40}) == every
    assert widen_cols(COLS, {0: 11, 8: 40}) == COLS


def test_a_prefix_and_markup_between_the_cols_are_kept() -> None:
    cols = b'<x:cols>\n  <x:col min="2" max="3" width="9"/><!-- <col min="1"/> -->\n</x:cols>'
    assert widen_cols(cols, {0: 11, 4: 12.5}) == (
        b'<x:cols>\n  <x:col min="1" max="1" width="11" customWidth="1"/>'
        b'<x:col min="2" max="3" width="9"/><!-- <col min="1"/> -->\n'
        b'<x:col min="5" max="5" width="12.5" customWidth="1"/></x:cols>'
    )


def test_a_sheet_without_cols_gets_one_and_empty_cols_are_filled() -> None:
    assert new_cols(b"", {}) == b""
    made = b'<cols><col min="1" max="1" width="11" customWidth="1"/></cols>'
    assert new_cols(b"", {0: 11}) == made
    assert widen_cols(b"<cols/>", {0: 11}) == made


def test_the_styles_given_to_columns() -> None:
    assert col_styles(COLS, [7, 8, 9]) == {8: b"6"}
    assert col_styles(b'<cols><col min="1" max="5" style="0"/></cols>', [2]) == {}
    with pytest.raises(Damaged):
        col_styles(b'<cols><col style="3"/></cols>', [2])
    assert widen_cols(b'<cols><col width="3"/></cols>', {0: 11}).count(b"<col ") == 2
