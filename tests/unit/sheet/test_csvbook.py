"""A CSV sheet written as a new .xlsx: its cells as text on the rows they have in the CSV, the
status columns in the look the runner gives them in any workbook, made afresh on every write."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import SheetInUse
from runner.sheet import STATUS_COLUMNS, Table, read_table, write_csv_as_xlsx
from runner.sheet.look import STATUS_LOOK, SWATCHES
from runner.status import Status, StatusCells
from tests.support.sheet import FAILED, SENT, error, leftovers
from tests.support.xlsxcheck import libreoffice_csv, load

CSV = (
    "name,profile,notes\r\n"
    "Ann Lee,https://www.linkedin.com/in/ann-lee,=1+1\r\n"
    ",,\r\n"
    "Bob Ng,https://www.linkedin.com/in/bob-ng,007\r\n"
    'Cy,cy,"two\nlines"\r\n'
)


def csv_table(tmp_path: Path, text: str = CSV, header_row: int = 1) -> Table:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return read_table(path, header_row=header_row)


def test_the_csvs_cells_as_text_and_the_statuses_in_colour(tmp_path: Path) -> None:
    table = csv_table(tmp_path)
    target = tmp_path / "leads.xlsx"
    statuses = {2: SENT, 4: FAILED, 5: StatusCells(Status.PENDING, "waits for the quota")}

    report = write_csv_as_xlsx(table, statuses, target)

    assert (report.path, report.note) == (target, None)
    assert leftovers(tmp_path) == []
    book = load(target)
    assert book.sheetnames == ["leads"]
    sheet = book["leads"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["name", "profile", "notes", *STATUS_COLUMNS]
    assert values[1][:3] == ["Ann Lee", "https://www.linkedin.com/in/ann-lee", "=1+1"]
    assert values[1][3:] == [t or None for t in SENT.texts()]
    assert values[2] == [None] * 8  # the CSV's blank row, so row numbers are the CSV's
    assert values[3][2] == "007"
    assert values[3][4] == '\'=HYPERLINK("http://evil","x")'  # never a formula
    assert values[4][2:5] == ["two\nlines", "pending", "waits for the quota"]
    assert {sheet["C2"].data_type, sheet["C4"].data_type} == {"s"}
    for number, cells in statuses.items():
        cell = sheet[f"D{number}"]
        assert cell.fill.fgColor.rgb == SWATCHES[str(cells.status)].fill
        assert cell.font.color.rgb == SWATCHES[str(cells.status)].font
    assert [c.font.b for c in sheet[1]] == [False] * 3 + [True] * 5
    assert [c.fill.fill_type for c in sheet["A"]] == [None] * 5
    widths = {k: d.width for k, d in sheet.column_dimensions.items() if d.customWidth}
    assert widths == {
        "A": len("Ann Lee") + 2,
        "B": len("https://www.linkedin.com/in/ann-lee") + 2,
        **dict(zip("DEFGH", STATUS_LOOK.widths, strict=True)),
    }  # "notes", "=1+1", "007", "lines" fit Excel's default width


def test_made_afresh_each_write_keeping_status_cells_the_csv_has(tmp_path: Path) -> None:
    text = "name,status,status_detail,sent_at\r\nAnn,sent,,2026-01-15T09:00:00Z\r\nBob,,,\r\n"
    table = csv_table(tmp_path, text)
    target = tmp_path / "leads.xlsx"
    target.write_bytes(b"an older view")
    write_csv_as_xlsx(table, {3: StatusCells(Status.INVALID, "no profile")}, target)
    sheet = load(target)["leads"]
    assert [c.value for c in sheet[1]] == ["name", *STATUS_COLUMNS]
    assert [c.value for c in sheet[2]][:4] == ["Ann", "sent", None, "2026-01-15T09:00:00Z"]
    assert [c.value for c in sheet[3]][:3] == ["Bob", "invalid", "no profile"]
    assert sheet["B2"].fill.fgColor.rgb == SWATCHES["sent"].fill
    assert sheet["B3"].fill.fgColor.rgb == SWATCHES["invalid"].fill
    assert all(c.font.b for c in sheet[1][1:])  # every header of theirs in their look


def test_a_header_below_a_title_block_stays_on_its_row(tmp_path: Path) -> None:
    table = csv_table(tmp_path, "Leads export, Q4\r\n\r\nname,profile\r\nAnn,ann\r\n", 3)
    target = tmp_path / "leads.xlsx"
    write_csv_as_xlsx(table, {4: SENT}, target)
    again = read_table(target, header_row=3)
    assert again.headers == ("name", "profile", *STATUS_COLUMNS)
    assert again.rows[0].number == 4
    assert again.rows[0].cells[2:] == SENT.texts()


def test_refusals(tmp_path: Path) -> None:
    table = csv_table(tmp_path)
    for name in ("leads.xlsm", "leads.csv"):
        assert error(write_csv_as_xlsx, table, {}, tmp_path / name) == (
            f"{name}: only a .csv sheet is written as an .xlsx workbook"
        )
    with pytest.raises(ValueError, match="no data row 3"):
        write_csv_as_xlsx(table, {3: SENT}, tmp_path / "leads.xlsx")
    (tmp_path / "~$leads.xlsx").write_text("owner")
    with pytest.raises(SheetInUse):
        write_csv_as_xlsx(table, {2: SENT}, tmp_path / "leads.xlsx")


def test_libreoffice_opens_it(tmp_path: Path) -> None:
    table = csv_table(tmp_path)
    target = tmp_path / "leads.xlsx"
    write_csv_as_xlsx(table, {2: SENT, 4: FAILED}, target)
    rows = libreoffice_csv(target, tmp_path / "csv")["leads"]
    assert rows[0] == ["name", "profile", "notes", *STATUS_COLUMNS]
    assert rows[1][:4] == ["Ann Lee", "https://www.linkedin.com/in/ann-lee", "=1+1", "sent"]
    assert rows[3][3] == "failed"
