"""The write-back policy: first write before sending, checkpoints, the final write."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runner.clock import FakeClock
from runner.errors import SheetError
from runner.sheet import read_table
from runner.status import Status, StatusCells
from runner.writeback import CHECKPOINT_INTERVAL, WriteBack

PENDING = {2: StatusCells(Status.PENDING)}
SENT = {2: StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z")}


def sheet(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name,profileId\nAnn,ann\n", encoding="utf-8")
    return path


def status(path) -> str:
    return read_table(path).rows[0].cells[2]


def test_the_first_write_happens_at_once(tmp_path):
    path = sheet(tmp_path)
    writer = WriteBack(read_table(path), path, FakeClock())
    writer.first(PENDING)
    assert status(path) == "pending" and writer.written is not None


def test_a_sheet_that_cannot_take_the_first_write_stops_the_run_before_sending(tmp_path):
    path = sheet(tmp_path)
    writer = WriteBack(read_table(path), path, FakeClock())
    path.write_text("name,profileId\nBob,bob\n", encoding="utf-8")  # edited since it was read
    with pytest.raises(SheetError, match=r"changed since it was read.*; nothing was sent$"):
        writer.first(PENDING)


def test_an_unwritable_target_is_reported_as_nothing_sent(tmp_path):
    path = sheet(tmp_path)
    missing_folder = tmp_path / "no" / "such" / "leads.csv"
    writer = WriteBack(read_table(path), missing_folder, FakeClock())
    with pytest.raises(SheetError, match=r"^leads.csv: cannot be written: .*; nothing was sent$"):
        writer.first(PENDING)


def test_checkpoints_wait_for_the_interval(tmp_path):
    path = sheet(tmp_path)
    clock = FakeClock()
    writer = WriteBack(read_table(path), path, clock)
    writer.first(PENDING)
    clock.advance(CHECKPOINT_INTERVAL.total_seconds() - 1)
    writer.checkpoint(SENT)
    assert status(path) == "pending"
    clock.advance(1)
    writer.checkpoint(SENT)
    assert status(path) == "sent"


def test_a_checkpoint_counts_the_interval_from_the_last_write(tmp_path):
    path = sheet(tmp_path)
    clock = FakeClock()
    writer = WriteBack(read_table(path), path, clock, interval=timedelta(seconds=10))
    writer.first(PENDING)
    clock.advance(10)
    writer.checkpoint(SENT)
    clock.advance(5)
    writer.checkpoint(PENDING)
    assert status(path) == "sent"


def test_a_failed_final_write_is_kept_as_an_error_not_raised(tmp_path):
    path = sheet(tmp_path)
    writer = WriteBack(read_table(path), path, FakeClock())
    writer.first(PENDING)
    path.write_text("name,profileId\nBob,bob\n", encoding="utf-8")  # the user edited it
    writer.checkpoint(SENT)  # not due, and would fail: nothing happens
    writer.final(SENT)
    assert writer.error.startswith("could not write the statuses (leads.csv: changed since")
    assert writer.error.endswith("the journal holds every outcome and the next run writes them")
    assert writer.written is None  # nobody is told the statuses were written
    assert "Bob" in path.read_text()


def test_a_clock_stepped_back_does_not_hold_checkpoints_back(tmp_path):
    path = sheet(tmp_path)
    clock = FakeClock()
    writer = WriteBack(read_table(path), path, clock)
    writer.first(PENDING)
    clock.advance(-3 * 3600)  # set back three hours: an interval "since" would be hours away
    writer.checkpoint(SENT)
    assert status(path) == "sent"
