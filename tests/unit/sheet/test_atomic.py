"""Writing a sheet in one step: permissions and symlinks kept, no temporary file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runner.errors import SheetError
from runner.sheet import WriteReport, read_table, write_statuses
from runner.sheet.atomic import atomic_write
from tests.support.sheet import SENT, error, leftovers


def test_csv_written_to_another_file(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\nBob\n")
    os.chmod(sheet, 0o640)
    output = tmp_path / "out" / "result.csv"
    output.parent.mkdir()
    report = write_statuses(read_table(sheet), {3: SENT}, output)
    assert report == WriteReport(output, None)
    assert sheet.read_bytes() == b"name\nAnn\nBob\n"
    assert output.read_bytes().splitlines()[2].startswith(b"Bob,sent,")
    assert stat.S_IMODE(output.stat().st_mode) == 0o640


def test_csv_behind_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "data" / "leads.csv"
    real.parent.mkdir()
    real.write_bytes(b"name\nAnn\n")
    link = tmp_path / "leads.csv"
    link.symlink_to(real)
    assert write_statuses(read_table(link), {2: SENT}, link).path == link
    assert link.is_symlink()
    assert real.read_bytes().startswith(b"name,status,")


def test_csv_in_place_keeps_permissions(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    os.chmod(sheet, 0o604)
    write_statuses(read_table(sheet), {2: SENT}, sheet)
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o604


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    table = read_table(sheet)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert error(write_statuses, table, {2: SENT}, sheet) == (
        "leads.csv: cannot be written: Permission denied (is it open in another program?)"
    )
    assert sheet.read_bytes() == b"name\nAnn\n"
    assert leftovers(tmp_path) == []


def test_the_check_runs_last_and_can_cancel(tmp_path: Path) -> None:
    target = tmp_path / "leads.xlsx"
    target.write_bytes(b"old")
    seen: list[bytes] = []

    def look() -> None:
        (temp,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        seen.append(temp.read_bytes())  # complete and flushed when the check runs

    atomic_write(target, target, lambda out: out.write(b"new"), look)
    assert (seen, target.read_bytes(), leftovers(tmp_path)) == ([b"new"], b"new", [])

    def cancel() -> None:
        raise SheetError("leads.xlsx: changed since it was read")

    with pytest.raises(SheetError, match="changed since it was read"):
        atomic_write(target, target, lambda out: out.write(b"newer"), cancel)
    assert (target.read_bytes(), leftovers(tmp_path)) == (b"new", [])
