"""When the statuses are written into the sheet: once before the first send, at checkpoints
during the run, and at the end.

The journal holds every outcome; the sheet is a picture of it for people. The first write
must succeed (a sheet that cannot take the statuses stops the run while nothing is sent);
later writes may fail without loss, since the next run writes them from the journal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from .clock import Clock
from .errors import RunnerError, SheetError
from .sheet import Table, WriteReport, write_statuses
from .status import StatusCells

# Often enough to keep the sheet a fair picture for whoever looks during a long run, rarely
# enough not to rewrite a large workbook after every send.
CHECKPOINT_INTERVAL = timedelta(minutes=1)


class WriteBack:
    def __init__(
        self,
        table: Table,
        target: Path,
        clock: Clock,
        interval: timedelta = CHECKPOINT_INTERVAL,
        *,
        owners: Mapping[int, str] | None = None,
        on_write: Callable[[], None] = lambda: None,
    ) -> None:
        self.table = table
        # row -> the recipient it is for, written beside its status so that a block a sort
        # moves onto someone else's row is recognised as not theirs
        self.owners = owners or {}
        self.on_write = on_write  # after each write that succeeded
        self.target = target
        self.clock = clock
        self.interval = interval
        self.written: WriteReport | None = None  # the last write that succeeded
        self.error = ""  # why the final write failed
        self._last = clock.now()

    def first(self, states: Mapping[int, StatusCells]) -> None:
        """Write before sending; raises SheetError (nothing sent) if the sheet cannot take it."""
        try:
            self._write_now(states)
        except OSError as err:
            raise SheetError(
                f"{self.target.name}: cannot be written ({err.strerror or err}); nothing was sent"
            ) from None
        except RunnerError as err:
            raise SheetError(f"{err}; nothing was sent") from None
        self._last = self.clock.now()
        self.on_write()

    def checkpoint(self, states: Mapping[int, StatusCells]) -> None:
        """Write if a checkpoint is due; a failure is left for the final write to report."""
        if self.clock.now() - self._last >= self.interval:
            self._write(states)

    def final(self, states: Mapping[int, StatusCells]) -> None:
        """The last write; its failure is kept in `error`, never raised."""
        self._write(states, final=True)

    def _write(self, states: Mapping[int, StatusCells], final: bool = False) -> None:
        try:
            self._write_now(states)
        except (OSError, RunnerError) as err:
            if final:
                self.error = (
                    f"could not write the statuses ({err}); nothing is lost: the journal holds "
                    "every outcome and the next run writes them"
                )
            return
        self._last = self.clock.now()
        self.on_write()

    def _write_now(self, states: Mapping[int, StatusCells]) -> None:
        self.written = write_statuses(self.table, self._owned(states), self.target)
        if self.written.stamp is not None:  # our own write is not a change by the user
            self.table = replace(self.table, stamp=self.written.stamp)

    def _owned(self, states: Mapping[int, StatusCells]) -> dict[int, StatusCells]:
        return {
            row: replace(cells, owner=self.owners.get(row, "")) for row, cells in states.items()
        }
