"""The runner's status columns, and the guards that keep its writing to them.

Where the columns are in a header (an existing column of that name, else the next free one on the
right), what goes into them (text that never runs as a formula; in `message_sent`, which the
campaign's write_message adds, the text that went out, cut with a note where a workbook's cell
cannot hold it), and the two guards:

- on reading, a column of the user's own named like one of them (a "Status" holding a pipeline
  stage) is refused, so it is never overwritten;
- on writing, a sheet whose cells outside them changed since it was read is refused, so an edit
  made during a run is never overwritten and a status never lands on a row that has moved.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence

from ..errors import SheetChanged, SheetError
from ..status import FORMULA_STARTS, Status, StatusCells
from .grid import Table, fold_header
from .xmlscan import CELL_LIMIT

STATUS_COLUMNS = ("status", "status_detail", "sent_at", "recipient_urn", "status_for")

STATUS_KEYS = tuple(fold_header(name) for name in STATUS_COLUMNS)  # as headers match them
# With the campaign's write_message, the text that went out (for audit), right of the others.
# The runner's whether or not the campaign writes it now: one that stops leaves the texts there
# as they are, and they are never a column of the data (templates do not see it).
MESSAGE_COLUMN = "message_sent"
RUNNER_KEYS = (*STATUS_KEYS, fold_header(MESSAGE_COLUMN))
# Beside these statuses the runner writes the text that went out, or may have; beside the
# others, nothing (and beside a status the user cleared, what the runner wrote may remain).
_WITH_MESSAGE = frozenset({Status.SENT, Status.UNKNOWN, ""})
# CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = FORMULA_STARTS  # (status.py's, as StatusCells.read knows them too)
# A date and time as written (2026-01-15T09:00:00Z), or as a spreadsheet may have re-typed it
# on saving (15/01/2026 09:00, 1/15/26 9:00 AM); words in it mean a column of the user's own.
_ISO_TIME = re.compile(r"[\d\s/:.,\-TZ+]+(?:[AaPp][Mm])?")


def existing_status_columns(headers: Sequence[str]) -> tuple[int | None, ...]:
    """0-based column of each status column the sheet has, None for those it lacks."""
    folded = [fold_header(h) for h in headers]
    return tuple(folded.index(key) if key in folded else None for key in STATUS_KEYS)


def runner_columns(table: Table) -> tuple[str, ...]:
    """The columns the runner writes into `table`: the status columns, and message_sent where
    the campaign asks for it."""
    return (*STATUS_COLUMNS, MESSAGE_COLUMN) if table.message_column else STATUS_COLUMNS


def status_columns(
    headers: Sequence[str], names: Sequence[str] = STATUS_COLUMNS
) -> tuple[int, ...]:
    """0-based column of each of the runner's columns `names`: the existing one, else the next
    free on the right."""
    folded = [fold_header(h) for h in headers]
    columns = []
    free = len(headers)
    for key in (fold_header(name) for name in names):
        if key in folded:
            columns.append(folded.index(key))
        else:
            columns.append(free)
            free += 1
    return tuple(columns)


def neutralised(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def cell_texts(cells: StatusCells, table: Table, *, book: bool = False) -> tuple[str | None, ...]:
    """What goes into the runner's columns of `table` (see `runner_columns`) for `cells`: text
    that never runs as a formula. message_sent's is None where its cell is to be kept as it is
    (the journal does not hold the text); in a workbook (`book`) one longer than a cell holds is
    cut, saying so."""
    starts = _FORMULA_STARTS  # `neutralised`, inline: this runs for every row of a write
    texts: list[str | None] = [
        "'" + text if text.startswith(starts) else text for text in cells.texts()
    ]
    if table.message_column:
        message = None if cells.message is None else neutralised(cells.message)
        texts.append(fitted(message) if book and message is not None else message)
    return tuple(texts)


def kept(texts: Sequence[str | None], columns: Sequence[int], cells: Sequence[str]) -> list[str]:
    """`texts` of `columns`, each None the text the row's `cells` (as read) have there."""
    return [
        (cells[col] if col < len(cells) else "") if text is None else text
        for text, col in zip(texts, columns, strict=True)
    ]


def fitted(text: str) -> str:
    """`text` as a workbook's cell can hold it: a text too long for one (more than 32,767
    characters, as Excel counts them) is cut, and says so rather than passing for the whole."""
    size = len(text.encode("utf-16-le")) // 2 if len(text) > CELL_LIMIT // 2 else len(text)
    if size <= CELL_LIMIT:
        return text
    note = f"\n[… cut: {size:,} characters in all, more than a cell holds; the journal has them]"
    keep = 2 * (CELL_LIMIT - len(note))
    return text.encode("utf-16-le")[:keep].decode("utf-16-le", "ignore") + note


def check_status_columns(table: Table, indices: tuple[int | None, ...]) -> None:
    """Columns named like the runner's must hold what the runner writes; a column of the
    user's own (a pipeline stage, a date of their own, notes) must not be overwritten.
    message_sent is looked at only where the campaign writes it."""
    status, detail, sent_at, urn, owner = indices
    folded = [fold_header(h) for h in table.headers]
    message = folded.index(RUNNER_KEYS[-1]) if RUNNER_KEYS[-1] in folded else None
    message = message if table.message_column else None
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
            others = (detail, sent_at, urn, owner, message)
            foreign = next((i for i in others if i is not None and cells[i]), None)
        elif message is not None and value not in _WITH_MESSAGE and cells[message].strip():
            foreign = message  # a text beside a row never sent: the runner did not put it there
        if foreign is not None:
            raise SheetError(
                f"{table.path.name}: row {sheet_row.number}: the column "
                f"{table.headers[foreign]!r} holds {_shown(cells[foreign])}, which the runner "
                f"did not write; it writes into columns named {', '.join(runner_columns(table))}, "
                "so rename your column (e.g. 'stage' or 'notes') and run again"
            )


def _shown(text: str) -> str:
    """A cell's text as an error quotes it: a long one (a message) only its start."""
    text = text.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")


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
    keep = [i for i, h in enumerate(table.headers) if fold_header(h) not in RUNNER_KEYS]
    width = max(keep, default=-1) + 1
    if not keep:
        return None
    # The kept cells of a row taken in one C call: most rows are unchanged, and equal at once.
    kept = operator.itemgetter(*keep, 0)  # `0` again: always a tuple, even of one cell

    def differs(before: Sequence[str], now: Sequence[str | None]) -> bool:
        if len(now) >= width and kept(before) == kept(now):
            return False
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
