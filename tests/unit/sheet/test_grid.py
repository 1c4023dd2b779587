"""What every sheet must be, whatever its format: a file of a known kind, a header on row 1 (or
the row the campaign names), data rows, no value outside the header. (Duplicate names are allowed
here: tests/unit/test_rows.py has the ones that matter.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.sheet import fold_header, read_table, write_statuses
from tests.support.sheet import SENT, error


def test_fold_header() -> None:
    assert fold_header("Recipient Profile-Id") == "recipientprofileid"
    assert fold_header(" STATUS_detail ") == "statusdetail"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.csv", b"", "leads.csv: is empty"),
        ("leads.csv", b"\xef\xbb\xbf\r\n\r\n", "leads.csv: is empty"),
        ("leads.csv", b"name,id\r\n", "leads.csv: has a header but no data rows"),
        ("leads.csv", b"name,id\r\n,\r\n\r\n", "leads.csv: has a header but no data rows"),
        (
            "leads.csv",
            b"\nname\nAnn\n",
            "leads.csv: row 1 is blank; the header (column names) must be on row 1; it seems to "
            "be on row 2: set header_row = 2 in the campaign file",
        ),
        (
            "leads.csv",
            "name\nAnn\n".encode("utf-16"),
            'leads.csv: is UTF-16 text; save it as "CSV UTF-8 (Comma delimited)"',
        ),
        (
            "leads.xls",
            b"\xd0\xcf\x11\xe0",
            "leads.xls: .xls files cannot be read; open it in Excel and save it as .xlsx "
            "(Excel Workbook)",
        ),
        (
            "leads.txt",
            b"name\nAnn\n",
            "leads.txt: unsupported file type; use a .csv, .xlsx or .xlsm file",
        ),
        (
            "leads.xlsx",
            b"not a zip file",
            "leads.xlsx: cannot be read as an .xlsx workbook (BadZipFile: File is not a zip file); "
            "it may be damaged, or another kind of file renamed to .xlsx",
        ),
    ],
)
def test_sheet_errors(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert error(read_table, path) == message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "leads.csv"
    assert error(read_table, missing) == f"leads.csv: file not found at {missing}"
    (tmp_path / "dir.xlsx").mkdir()
    assert error(read_table, tmp_path / "dir.xlsx") == (
        "dir.xlsx: is a directory, not a .csv or .xlsx file"
    )


def test_target_of_another_kind(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    assert error(write_statuses, read_table(sheet), {}, tmp_path / "out.xlsm") == (
        "out.xlsm: statuses of a .csv sheet must be written to a .csv file"
    )


def test_statuses_for_a_row_that_is_not_data_is_a_bug(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    with pytest.raises(ValueError):
        write_statuses(read_table(sheet), {1: SENT}, sheet)
