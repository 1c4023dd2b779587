"""The text Excel shows for a cell value under its number format."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from runner.sheet.numfmt import display_text, zero_pad


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (None, "General", ""),
        ("", "General", ""),
        ("  spaced  ", "General", "  spaced  "),
        (True, "General", "TRUE"),
        (False, "General", "FALSE"),
        (12345678, "General", "12345678"),
        (12345678.0, "General", "12345678"),
        (1234567890123456789, "General", "1234567890123456789"),
        (3.5, "General", "3.5"),
        (0.1, "General", "0.1"),
        (-2.0, "General", "-2"),
        (1234567, "00000000", "01234567"),
        (1234567.0, "00000000", "01234567"),
        (42, "0", "42"),
        (2.5, "0", "3"),
        (3.14159, "0.00", "3.14"),
        (-1234.5, "#,##0.00", "-1,234.50"),
        (1234567.891, "#,##0", "1,234,568"),
        (0.256, "0%", "26%"),
        (0.2567, "0.00%", "25.67%"),
        (5, "@", "5"),
        (12, "#,##0;[Red]-#,##0", "12"),
        (42, "0.0E+00", "42"),  # not a format we render: General
        (datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd", "2024-03-05"),
        (datetime(2024, 3, 5, 14, 7, 9), "m/d/yyyy", "3/5/2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "d/m/yyyy", "5/3/2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "dd.mm.yyyy", "05.03.2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd hh:mm:ss", "2024-03-05 14:07:09"),
        (datetime(2024, 3, 5, 14, 7, 9), "m/d/yyyy h:mm AM/PM", "3/5/2024 2:07 PM"),
        (datetime(2024, 3, 5, 14, 7, 9), "[$-409]mmmm d, yyyy;@", "March 5, 2024"),
        (datetime(2024, 3, 5, 14, 7, 9), "d-mmm-yy", "5-Mar-24"),
        (datetime(2024, 3, 5, 14, 7, 9), "YYYY-MM-DD", "2024-03-05"),
        (datetime(2024, 3, 5, 10, 29, 59, 999600), "yyyy-mm-dd hh:mm:ss", "2024-03-05 10:30:00"),
        (datetime(2024, 3, 5, 14, 7, 9), "General", "2024-03-05 14:07:09"),
        (datetime(2024, 3, 5), "a format we do not know", "2024-03-05"),
        (date(2024, 3, 5), "mm-dd-yy", "03-05-24"),
        (time(9, 5), "h:mm", "9:05"),
        (time(21, 5), "h:mm AM/PM", "9:05 PM"),
        (time(9, 5, 30), "General", "09:05:30"),
        (timedelta(hours=30, minutes=5), "[h]:mm:ss", "30:05:00"),
    ],
)
def test_display_text(value: object, number_format: str, shown: str) -> None:
    assert display_text(value, number_format) == shown


@pytest.mark.parametrize(
    ("number_format", "width"),
    [
        ("00000", 5),
        ("0", 1),
        ("[Red]000000", 6),
        ("00000;[Red]-00000", 5),
        ("0.00", 0),
        ("#,##0", 0),
        ("0%", 0),
        ("General", 0),
        ("@", 0),
        ('00000" units"', 0),
    ],
)
def test_zero_pad_is_the_width_display_text_pads_whole_numbers_to(number_format, width):
    """The sheet reader shows a postcode column's digits padded to this width without
    display_text: the two must agree on every whole number."""
    assert zero_pad(number_format) == width
    if width:
        for value in (0, 7, 1234, 98765, 10**12):
            assert display_text(value, number_format) == str(value).zfill(width)
