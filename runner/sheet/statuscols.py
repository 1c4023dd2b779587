"""The runner's status columns, and the guards that keep its writing to them.

Where the columns are in a header (an existing column of that name, else the next free one on the
right), what goes into them (text that never runs as a formula), and the two guards:

- on reading, a column of the user's own named like one of them (a "Status" holding a pipeline
  stage) is refused, so it is never overwritten;
- on writing, a sheet whose cells outside them changed since it was read is refused, so an edit
  made during a run is never overwritten and a status never lands on a row that has moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..errors import SheetChanged, SheetError
from ..status import Status
from .grid import Table, fold_header

STATUS_COLUMNS = ("status", "status_detail", "sent_at", "recipient_urn", "status_for")

STATUS_KEYS = tuple(fold_header(name) for name in STATUS_COLUMNS)  # as headers match them
# CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A date and time as written (2026-01-15T09:00:00Z), or as a spreadsheet may have re-typed it
# on saving (15/01/2026 09:00, 1/15/26 9:00 AM); words in it mean a column of the user's own.
_ISO_TIME = re.compile(r"[\d\s/:.,\-TZ+]+(?:[AaPp][Mm])?")


def existing_status_columns(headers: Sequence[str]) -> tuple[int | None, ...]:
    """0-based column of each status column the sheet has, None for those it lacks."""
    folded = [fold_header(h) for h in headers]
    return tuple(folded.index(key) if key in folded else None for key in STATUS_KEYS)


def status_columns(headers: Sequence[str]) -> tuple[int, ...]:
    """0-based column of each status column: the existing one, else the next free on the right."""
    folded = [fold_header(h) for h in headers]
    columns = []
    free = len(headers)
    for key in STATUS_KEYS:
        if key in folded:
            columns.append(folded.index(key))
        else:
            columns.append(free)
            free += 1
    return tuple(columns)


def neutralised(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def check_status_columns(table: Table, indices: tuple[int | None, ...]) -> None:
    """Columns named like the runner's must hold what the runner writes; a column of the
    user's own (a pipeline stage, a date of their own, notes) must not be overwritten."""
    status, detail, sent_at, urn, owner = indices
    ours = {str(s) for s in Status if s is not Status.IN_FLIGHT} | {""}
    # Once the runner has written a status anywhere, the columns are its own; a row whose
    # status a user cleared (to have it sent again) may keep the old detail beside it.
    # `status_for` naming each row's person is the runner's alone: it too shows the columns
    # are the runner's, even with every status cleared.
    written = any(
        column is not None and any(row.cells[column].strip() for row in table.rows)
        for column in (status, owner)
    )
    for sheet_row in table.rows:
        cells = sheet_row.cells
        value = cells[status].strip() if status is not None else ""
        foreign = None
        if value not in ours:
            foreign = status
        elif (
            sent_at is not None
            and cells[sent_at].strip()
            and not _ISO_TIME.fullmatch(cells[sent_at].strip())
        ):
            foreign = sent_at
        elif not written:  # the runner writes the others only beside a status
            others = (detail, sent_at, urn, owner)
            foreign = next((i for i in others if i is not None and cells[i]), None)
        if foreign is not None:
            raise SheetError(
                f"{table.path.name}: row {sheet_row.number}: the column "
                f"{table.headers[foreign]!r} holds {cells[foreign].strip()!r}, which the runner "
                f"did not write; it writes into columns named {', '.join(STATUS_COLUMNS)}, so "
                "rename your column (e.g. 'stage' or 'notes') and run again"
            )


def check_unchanged(
    table: Table,
    headers_now: Sequence[str | None],
    cells_now: Callable[[int], Sequence[str | None]],
) -> None:
    """Refuse to write statuses when a cell outside the status columns no longer reads as in
    `table` (the sheet as it is on disk now: `headers_now`, and `cells_now` of a row number)."""
    changed = _first_difference(table, headers_now, cells_now)
    if changed is not None:
        raise SheetChanged(
            f"{table.path.name}: changed since it was read (row {changed} differs); statuses "
            "were not written, so nothing changed in the meantime is overwritten"
        )


def _first_difference(
    table: Table,
    headers_now: Sequence[str | None],
    cells_now: Callable[[int], Sequence[str | None]],
) -> int | None:
    """The first row where a cell outside the status columns no longer reads as in `table`.

    A None cell cannot be compared (a formula whose result openpyxl cannot know) and is skipped.
    """
    keep = [i for i, h in enumerate(table.headers) if fold_header(h) not in STATUS_KEYS]

    def differs(before: Sequence[str], now: Sequence[str | None]) -> bool:
        for i in keep:
            value = now[i] if i < len(now) else ""
            if value is not None and value != before[i]:
                return True
        return False

    if differs(table.headers, headers_now):
        return table.header_row
    return next(
        (row.number for row in table.rows if differs(row.cells, cells_now(row.number))), None
    )
