"""The write-back policy: first write before sending, checkpoints, the final write."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runner.clock import FakeClock
from runner.errors import SheetError
from runner.sheet import Stamp, read_table
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


def three(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name,profileId\nAnn,ann\nBob,bob\nCy,cy\n", encoding="utf-8")
    return path


ALL_PENDING = {row: StatusCells(Status.PENDING) for row in (2, 3, 4)}
ONE_SENT = {**ALL_PENDING, 4: StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z")}


@pytest.fixture
def passed(monkeypatch):
    """The rows each write is given (the real write still happens)."""
    import runner.writeback

    real, calls = runner.writeback.write_statuses, []

    def spy(table, statuses, target):
        calls.append(sorted(statuses))
        return real(table, statuses, target)

    monkeypatch.setattr(runner.writeback, "write_statuses", spy)
    return calls


def statuses_of(path) -> list[str]:
    return [row.cells[2] for row in read_table(path).rows]


def test_a_later_write_into_the_sheet_patches_only_the_rows_that_changed(tmp_path, passed):
    path = three(tmp_path)
    writer = WriteBack(read_table(path), path, FakeClock())
    writer.first(ALL_PENDING)
    writer.final(ONE_SENT)
    assert passed == [[2, 3, 4], [4]]
    assert statuses_of(path) == ["pending", "pending", "sent"]


def test_a_write_with_nothing_changed_leaves_the_sheet_alone_and_says_it_is_written(
    tmp_path, passed
):
    path = three(tmp_path)
    marks = []
    writer = WriteBack(read_table(path), path, FakeClock(), on_write=lambda: marks.append(1))
    writer.first(ALL_PENDING)
    before = Stamp.of(path)
    writer.final(ALL_PENDING)
    assert passed == [[2, 3, 4]] and Stamp.of(path) == before and marks == [1, 1]
    assert writer.written is not None and not writer.error


def test_after_the_user_saves_the_sheet_every_row_is_written_again(tmp_path, passed):
    """The user's save may have changed any status cell: the run's statuses go back whole."""
    path = three(tmp_path)
    writer = WriteBack(read_table(path), path, FakeClock())
    writer.first(ALL_PENDING)
    path.write_text(path.read_text(encoding="utf-8").replace("Ann,ann,pending", "Ann,ann,"))
    writer.follow(read_table(path), {})
    writer.final(ONE_SENT)
    assert passed == [[2, 3, 4], [2, 3, 4]]
    assert statuses_of(path) == ["pending", "pending", "sent"]


def test_statuses_written_to_another_file_are_written_whole_each_time(tmp_path, passed):
    """Another file is the sheet with the statuses given: rows left out would lose theirs."""
    path = three(tmp_path)
    out = tmp_path / "leads.out.csv"
    writer = WriteBack(read_table(path), out, FakeClock())
    writer.first(ALL_PENDING)
    writer.final(ONE_SENT)
    assert passed == [[2, 3, 4], [2, 3, 4]]
    assert statuses_of(out) == ["pending", "pending", "sent"]


def test_a_csv_is_not_read_again_after_the_runners_own_writes(tmp_path, monkeypatch):
    """Each write hands on what it wrote: the checkpoints and the final write of a CSV then
    neither read nor check the whole file again (each did, at 100,000 rows a second and more).
    A save by the user since is still never overwritten."""
    from runner.sheet import csvwrite

    path = tmp_path / "leads.csv"
    path.write_text("name,profileId\nAnn,ann\nBob,bob\n", encoding="utf-8")
    reads = []
    real = csvwrite.read_records
    monkeypatch.setattr(csvwrite, "read_records", lambda p: reads.append(p) or real(p))
    writer = WriteBack(read_table(path), path, FakeClock())
    writer.first({**PENDING, 3: StatusCells(Status.PENDING)})
    writer.checkpoint({**SENT, 3: StatusCells(Status.PENDING)}, force=True)
    writer.final({**SENT, 3: StatusCells(Status.FAILED, "403")})
    assert reads == [] and writer.error == ""
    assert [row.cells[2] for row in read_table(path).rows] == ["sent", "failed"]
    path.write_text(path.read_text(encoding="utf-8").replace("Bob,", "Robert,"), "utf-8")
    writer.final({**SENT, 3: StatusCells(Status.SENT)})
    assert "could not write the statuses" in writer.error
    assert "Robert" in path.read_text(encoding="utf-8")
