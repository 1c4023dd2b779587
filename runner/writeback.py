"""When the statuses are written into the sheet: once before the first send, at checkpoints
during the run, and at the end.

The journal holds every outcome; the sheet is a picture of it for people. The first write
must succeed (a sheet that cannot take the statuses stops the run while nothing is sent);
later writes may fail without loss, since the next run writes them from the journal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from .clock import Clock
from .errors import RunnerError, SheetChanged, SheetError, SheetInUse
from .sheet import Table, WriteReport, write_statuses
from .status import StatusCells

# Often enough to keep the sheet a fair picture for whoever looks during a long run, rarely
# enough not to rewrite a large workbook after every send.
CHECKPOINT_INTERVAL = timedelta(minutes=1)


# A save landing while the statuses are written makes the write start again from the sheet as
# saved; a sheet saved this many times in a row during one write is left for the next write.
WRITE_ATTEMPTS = 3

States = Mapping[int, StatusCells]


class WriteBack:
    """Writes the statuses of the run's sheet, as the run knows it now.

    `table` and `owners` follow the sheet: after the user saves it, the run reads it again and
    sets both (`follow`). `reread` is how a write that found the sheet saved since it was read
    asks the run to read it again; it returns the statuses keyed by the rows as they are now.
    """

    def __init__(
        self,
        table: Table,
        target: Path,
        clock: Clock,
        interval: timedelta = CHECKPOINT_INTERVAL,
        *,
        owners: Mapping[int, str] | None = None,
        on_write: Callable[[], None] = lambda: None,
        reread: Callable[[], States] | None = None,
    ) -> None:
        self.table = table
        # row -> the recipient it is for, written beside its status so that a block a sort
        # moves onto someone else's row is recognised as not theirs
        self.owners = owners or {}
        self.on_write = on_write  # after each write that succeeded
        self.reread = reread
        self.target = target
        self.clock = clock
        self.interval = interval
        self.written: WriteReport | None = None  # the last write that succeeded
        self.error = ""  # why the final write failed
        self.held = ""  # why the statuses are held back for now (the sheet is open in Excel)
        self._last = clock.now()
        # The statuses the sheet's status cells hold since this run last wrote into the sheet
        # itself (as given, before their owners are added; the owners change only with
        # `follow`): later writes then patch only the rows that changed (a checkpoint's cost
        # follows the sends, not the sheet's size). None until then, and once the user saved
        # the sheet.
        self._shown: dict[int, StatusCells] | None = None
        self._into_sheet: WriteReport | None = None  # that write

    def follow(self, table: Table, owners: Mapping[int, str]) -> None:
        """The run read the sheet again: write into it as it is now."""
        self.table, self.owners = table, owners
        self._shown = None  # the user's save may have changed any status cell

    def first(self, states: States) -> None:
        """Write before sending; raises SheetError (nothing sent) if the sheet cannot take it.
        A sheet open in Excel is not an error: the statuses wait in the journal meanwhile."""
        try:
            self._write(states)
        except OSError as err:
            raise SheetError(
                f"{self.target.name}: cannot be written ({err.strerror or err}); nothing was sent"
            ) from None
        except RunnerError as err:
            raise SheetError(f"{err}; nothing was sent") from None

    def checkpoint(self, states: States, *, force: bool = False) -> None:
        """Write if a checkpoint is due (or the sheet was held by Excel and may be free now, or
        `force`: the run pauses for long); a failure is left for the final write to report."""
        elapsed = self.clock.now() - self._last
        # A clock stepped back makes `elapsed` negative: write rather than wait for it to catch up.
        if force or self.held or elapsed >= self.interval or elapsed < timedelta(0):
            with contextlib.suppress(OSError, RunnerError):
                self._write(states)

    def final(self, states: States) -> None:
        """The last write; its failure is kept in `error`, never raised. `written` then says
        where the statuses are only if this write succeeded."""
        self.written = None
        try:
            self._write(states)
        except (OSError, RunnerError) as err:
            self.error = (
                f"could not write the statuses ({err}); nothing is lost: the journal holds "
                "every outcome and the next run writes them"
            )

    def _write(self, states: States) -> None:
        for attempt in range(WRITE_ATTEMPTS):
            shown, changed = self._shown, states
            if shown is not None:
                # (`is` first: most rows hold the very cells written, and comparing two
                # dataclasses builds a tuple of each, a row at a time)
                changed = {
                    row: cells
                    for row, cells in states.items()
                    if (was := shown.get(row)) is not cells and was != cells
                }
                if not changed:  # the sheet shows them all already
                    self.written, self.held, self._last = self._into_sheet, "", self.clock.now()
                    self.on_write()
                    return
            try:
                # Only the rows written are given their owners (a copy of each one's cells).
                written = write_statuses(self.table, self._owned(changed), self.target)
            except SheetInUse as err:
                self.held = str(err)
                return
            except SheetChanged:
                if self.reread is None or attempt == WRITE_ATTEMPTS - 1:
                    raise
                states = self.reread()  # follows the sheet as saved; then try again
                continue
            self.written, self.held = written, ""
            if written.stamp is not None:  # our own write is not a change by the user
                read_as = self.table.read_as  # (bound to the stamp it was read at)
                if written.layout is not None:
                    read_as = (written.stamp, written.layout)
                self.table = replace(
                    self.table, stamp=written.stamp, statuses_as_read=False, read_as=read_as
                )
                self._shown, self._into_sheet = dict(states), written
            self._last = self.clock.now()
            self.on_write()
            return

    def _owned(self, states: States) -> dict[int, StatusCells]:
        owners = self.owners
        return {row: cells.owned_by(owners.get(row, "")) for row, cells in states.items()}
