"""The status columns' guards: a sheet changed since it was read is not overwritten."""

from __future__ import annotations

from pathlib import Path

from runner.sheet import read_table, write_statuses
from tests.support.sheet import SENT, error, make_workbook


def test_a_sheet_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    table = read_table(sheet)
    sheet.write_bytes(b"name\nNew\nAnn\nBob\n")
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: changed since it was read (row 2 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )
    assert sheet.read_bytes() == b"name\nNew\nAnn\nBob\n"


def test_csv_header_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("name,id\nAnn,1\n", encoding="utf-8")
    table = read_table(path)
    path.write_text("Name Renamed,id\nAnn,1\n", encoding="utf-8")
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.csv: changed since it was read (row 1 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )


def test_xlsx_changed_since_read(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Bob"]]})
    table = read_table(path)
    make_workbook(path, {"Leads": [["name"], ["Ann"], ["Rob"]]})
    assert error(write_statuses, table, {2: SENT}, path) == (
        "leads.xlsx: changed since it was read (row 3 differs); statuses were not written, so "
        "nothing changed in the meantime is overwritten"
    )
