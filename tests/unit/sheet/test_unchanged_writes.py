"""A write that would change nothing leaves the sheet alone, and only then."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from runner.errors import SheetChanged
from runner.rows import read_layout, read_row
from runner.sheet import Stamp, csvfile, csvwrite, read_table, write_statuses, xlsx
from runner.status import Status, StatusCells
from tests.support.sheet import FAILED, SENT, make_workbook

PENDING = StatusCells(Status.PENDING, "", "", "", "ann-1")


def _sheet(folder: Path, kind: str) -> Path:
    path = folder / f"leads.{kind}"
    if kind == "csv":
        path.write_text("profileId,first_name\nann-1,Ann\n", encoding="utf-8")
    else:
        make_workbook(path, {"Leads": [["profileId", "first_name"], ["ann-1", "Ann"]]})
    # The status columns as a first run leaves them: the row pending.
    write_statuses(read_table(path), {2: PENDING}, path)
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_statuses_the_sheet_shows_already_are_not_written(tmp_path: Path, kind: str) -> None:
    path = _sheet(tmp_path, kind)
    table = read_table(path)
    before = Stamp.of(path)
    write_statuses(table, {2: PENDING}, path)
    assert Stamp.of(path) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_status_back_to_what_the_sheet_first_showed_is_written(tmp_path: Path, kind: str):
    """After a write, the table read at the start no longer shows the file's status cells: a
    row whose status returns to what it was then must still be written (the file shows the
    status in between)."""
    path = _sheet(tmp_path, kind)
    table = read_table(path)
    report = write_statuses(table, {2: SENT}, path)
    assert read_table(path).rows[0].cells[2] == "sent"
    after = replace(table, stamp=report.stamp, statuses_as_read=False)  # as a run keeps it
    write_statuses(after, {2: PENDING}, path)
    assert read_table(path).rows[0].cells[2] == "pending"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sheet_saved_since_it_was_read_is_refused_even_with_nothing_to_write(
    tmp_path: Path, kind: str
) -> None:
    path = _sheet(tmp_path, kind)
    table = read_table(path)
    data = path.read_bytes()
    path.write_bytes(data)  # saved again by the user: same content, a new file
    with pytest.raises(SheetChanged):
        write_statuses(table, {2: PENDING}, path)


def test_a_value_typed_right_of_the_header_since_the_read_is_never_written_over(tmp_path):
    """The status columns go right of the last column name: a cell typed there during a run
    must stop the write, not be overwritten or dropped."""
    path = tmp_path / "leads.csv"
    path.write_text("profileId,first_name\nann-1,Ann\nbob-2,Bob\n", encoding="utf-8")
    table = read_table(path)
    path.write_text("profileId,first_name\nann-1,Ann\nbob-2,Bob,call him\n", encoding="utf-8")
    with pytest.raises(SheetChanged, match=r"changed since it was read"):  # by its stamp
        write_statuses(table, {2: PENDING, 3: PENDING}, path)
    # And by its cells, where the stamp says nothing (a file system that keeps no times).
    with pytest.raises(SheetChanged, match=r"row 3 has a value right of the last column name"):
        write_statuses(replace(table, stamp=None), {2: PENDING, 3: PENDING}, path)
    assert "call him" in path.read_text(encoding="utf-8")


def test_a_csv_unchanged_since_the_read_is_written_from_that_read(tmp_path, monkeypatch):
    """The write takes the text and records the read had (a resume's final write at 100,000
    rows read and checked the whole file again); after the runner's own write the file is at
    a new stamp, so the next write reads it again and keeps what the first one wrote."""
    path = _sheet(tmp_path, "csv")
    path.write_text(path.read_text(encoding="utf-8") + "bob-2,Bob,,,,,\n", encoding="utf-8")
    reads = []
    real = csvwrite.read_records
    monkeypatch.setattr(csvwrite, "read_records", lambda p: reads.append(p) or real(p))
    table = read_table(path)
    report = write_statuses(table, {2: SENT}, path)
    assert reads == []
    after = replace(table, stamp=report.stamp, statuses_as_read=False)  # as a run keeps it
    write_statuses(after, {3: SENT}, path)
    assert reads == [path]
    assert [row.cells[2] for row in read_table(path).rows] == ["sent", "sent"]


def test_a_csv_saved_since_the_read_is_read_again_even_by_a_table_without_a_stamp(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("profileId,first_name\nann-1,Ann\n", encoding="utf-8")
    table = replace(read_table(path), stamp=None)
    path.write_text("profileId,first_name\nann-1,Anne\n", encoding="utf-8")
    with pytest.raises(SheetChanged, match=r"row 2 differs"):
        write_statuses(table, {2: PENDING}, path)
    assert "Anne" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_cells_read_as_they_write_are_passed_over_in_their_own_row_alone(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resume's first write, most rows unchanged: cells read from a row exactly as they would
    be written need no text worked out to know the row shows them. Given for another row (a
    sort moved the person), they are that row's to write as any others."""
    path = tmp_path / f"leads.{kind}"
    grid = [["profileId", "first_name"], ["ann-1", "Ann"], ["bob-2", "Bob"]]
    if kind == "csv":
        path.write_text("\n".join(",".join(line) for line in grid) + "\n", encoding="utf-8")
    else:
        make_workbook(path, {"Leads": grid})
    sent = {2: replace(SENT, owner="ann-1"), 3: replace(PENDING, owner="bob-2")}
    write_statuses(read_table(path), sent, path)
    table = read_table(path)
    layout = read_layout(table)
    ann, bob = (read_row(layout, table, row).previous for row in table.rows)
    assert (ann.shown_in, bob.shown_in) == (2, 3)
    worked_out = []
    for module in (csvwrite, xlsx):
        real = module.cell_texts
        monkeypatch.setattr(
            module,
            "cell_texts",
            lambda c, t, real=real, **k: worked_out.append(c) or real(c, t, **k),
        )
    before = Stamp.of(path)
    write_statuses(table, {2: ann, 3: bob}, path)
    assert Stamp.of(path) == before and worked_out == []
    write_statuses(table, {3: ann}, path)  # ann's cells, for row 3
    assert worked_out and all(cells is ann for cells in worked_out)
    status_for = [row.cells[-1] for row in read_table(path).rows]
    assert status_for[0] == status_for[1] and status_for[1].startswith("ann-1 #")


_VARIANTS = {
    "plain": "profileId,first_name\nann-1,Ann\nbob-2,Bob\n",
    "crlf, byte order mark": "\ufeffprofileId,first_name\r\nann-1,Ann\r\nbob-2,Bob\r\n",
    "excel's sep line": "sep=;\nprofileId;first_name\nann-1;Ann\nbob-2;Bob",
    "every cell quoted": '"profileId","first_name"\n"ann-1","Ann"\n"bob-2","Bob"\n',
    "a cell over two lines": 'profileId,first_name,note\nann-1,Ann,"one\ntwo"\nbob-2,Bob,\n',
    "short rows": "profileId,first_name,company,city\nann-1\nbob-2,Bob\n",
    "empty cells past the last column": "profileId,first_name\nann-1,Ann,,,,,,,,\nbob-2,Bob,,\n",
    "status columns in the middle": (
        "profileId,status,first_name,status_detail,sent_at,recipient_urn,status_for\n"
        "ann-1,,Ann,,,,\nbob-2,,Bob,,,,\n"
    ),
    "a title above the header": "Leads, Q4\n\nprofileId,first_name\nann-1,Ann\nbob-2,Bob\n",
    "windows-1252": "profileId,first_name\nann-1,Zoë\nbob-2,Bob\n",
}


@pytest.mark.parametrize("variant", list(_VARIANTS))
def test_a_csv_as_written_is_what_reading_it_again_gives(tmp_path: Path, variant: str) -> None:
    """The text and records a write hands on for the next one are those the file reads as,
    after the first write (every row, new columns) and after one of a row."""
    path = tmp_path / "leads.csv"
    text = _VARIANTS[variant]
    path.write_bytes(text.encode("cp1252" if variant == "windows-1252" else "utf-8"))
    header_row = 3 if "title" in variant else 1
    table = read_table(path, header_row=header_row)
    first, second = table.rows[0].number, table.rows[1].number
    quoted = replace(FAILED, detail='says "no", twice;\nthen, nothing')
    for statuses in ({first: PENDING, second: quoted}, {second: SENT}):
        report = write_statuses(table, statuses, path)
        assert report.layout is not None and report.stamp == Stamp.of(path)
        assert report.layout == csvfile.read_records(path)
        # ... and the text cut into records as the next write would cut it
        layout = report.layout
        lines = csvwrite.raw_records(layout.text, layout.delimiter, len(layout.records))
        assert layout.lines == (tuple(lines[0]), tuple(lines[1]))
        table = replace(table, stamp=report.stamp, statuses_as_read=False)
        table = replace(table, read_as=(report.stamp, report.layout))
    assert [row.cells[-1] for row in read_table(path, header_row=header_row).rows][1] != ""


def test_a_write_after_the_runners_own_takes_what_it_wrote_unless_saved_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("profileId,first_name\nann-1,Ann\nbob-2,Bob\n", encoding="utf-8")
    reads = []
    real = csvwrite.read_records
    monkeypatch.setattr(csvwrite, "read_records", lambda p: reads.append(p) or real(p))
    table = read_table(path)
    report = write_statuses(table, {2: PENDING, 3: PENDING}, path)
    after = replace(table, stamp=report.stamp, statuses_as_read=False)
    write_statuses(replace(after, read_as=(report.stamp, report.layout)), {2: SENT}, path)
    assert reads == []
    saved = path.read_text(encoding="utf-8").replace("Bob", "Robert")
    path.write_text(saved, encoding="utf-8")  # the user's save, at a stamp of its own
    with pytest.raises(SheetChanged):
        write_statuses(replace(after, stamp=Stamp.of(path)), {3: SENT}, path)
    assert "Robert" in path.read_text(encoding="utf-8") and reads == [path]


def test_a_save_right_after_the_runners_write_is_not_taken_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp a write reports is taken after the rename: a save in between must not pass
    for the runner's own text, or the next write would put that text back over it."""
    path = tmp_path / "leads.csv"
    path.write_text("profileId,first_name\nann-1,Ann\n", encoding="utf-8")
    real = csvwrite.atomic_write

    def then_saved(target: Path, *args: object) -> object:
        written = real(target, *args)  # type: ignore[arg-type]
        saved = target.read_text(encoding="utf-8").replace("Ann", "Anne")
        target.write_text(saved, encoding="utf-8")  # in place: the inode stays
        return written

    monkeypatch.setattr(csvwrite, "atomic_write", then_saved)
    report = write_statuses(read_table(path), {2: PENDING}, path)
    assert report.stamp == Stamp.of(path) and report.layout is None


def test_a_csv_whose_file_system_keeps_whole_seconds_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where times are whole seconds (FAT, HFS+, some shares), a save within the second could
    keep the stamp: such a file is read and checked again, as before."""
    path = tmp_path / "leads.csv"
    path.write_text("profileId,first_name\nann-1,Ann\n", encoding="utf-8")
    os.utime(path, ns=(1_768_467_600 * 10**9, 1_768_467_600 * 10**9))  # as such a disk keeps it
    reads = []
    real = csvwrite.read_records
    monkeypatch.setattr(csvwrite, "read_records", lambda p: reads.append(p) or real(p))
    write_statuses(read_table(path), {2: PENDING}, path)
    assert reads == [path]
