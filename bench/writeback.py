"""Status write-back: every row's status cells written into a copy of the sheet, as a run's
final write does, against what a user's own script would do to save the same statuses."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas

from runner.sheet import STATUS_COLUMNS, read_table, write_statuses
from runner.sheet.look import STATUS_LOOK
from runner.sheet.xlsxpatch import StatusBlock, patch_statuses
from runner.status import Status, StatusCells

from .campaigns import Setup
from .leads import HEADER
from .measures import Figure, at_full_size

# Where a run puts the status columns of a sheet that has none: after the last, as it writes
# them (coloured by status).
BLOCK = StatusBlock(
    header_row=1,
    columns=tuple(range(len(HEADER), len(HEADER) + len(STATUS_COLUMNS))),
    names=STATUS_COLUMNS,
    new=frozenset(range(len(STATUS_COLUMNS))),
    look=STATUS_LOOK,
)


def statuses(rows: int) -> dict[int, StatusCells]:
    """Each row's status cells, as a run writes them: most sent, every tenth refused."""
    values: dict[int, StatusCells] = {}
    for number in range(2, rows + 2):
        if number % 10 == 0:
            cells = StatusCells(Status.FAILED, "403: recipient does not accept messages")
        else:
            urn = f"urn:li:fsd_profile:ACoAA{number:08d}"
            cells = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", urn)
        values[number] = replace(cells, owner=f"person-{number}")
    return values


def with_statuses(sheet: Path, values: dict[int, StatusCells]) -> pandas.DataFrame:
    """The sheet read by pandas, with the same status columns filled in."""
    frame = pandas.read_csv(sheet, dtype=str)
    texts = [values[number].texts() for number in range(2, len(frame) + 2)]
    for column, name in enumerate(STATUS_COLUMNS):
        frame[name] = [cells[column] for cells in texts]
    return frame


def writeback(setup: Setup) -> list[Figure]:
    values = statuses(setup.rows)
    texts = {number: cells.texts() for number, cells in values.items()}
    csv_sheet, xlsx_sheet = setup.sheet("csv"), setup.sheet("xlsx")
    table = read_table(csv_sheet)
    frame = with_statuses(csv_sheet, values)
    out = setup.folder

    def resave() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(xlsx_sheet)
        book.save(out / "openpyxl.xlsx")

    return [
        Figure(
            name="status write-back, CSV",
            rows=setup.rows,
            measured="write_statuses: every row's cells into the CSV as read (unchanged since)",
            run=lambda: write_statuses(table, values, out / "written.csv"),
            baseline="DataFrame.to_csv of the sheet with its status columns",
            run_baseline=lambda: frame.to_csv(out / "pandas.csv", index=False),
            target=at_full_size(setup.rows, 1.5),
        ),
        Figure(
            name="status write-back, XLSX",
            rows=setup.rows,
            # write_statuses reads nothing more for a workbook; this spares the bench reading it
            measured="patch_statuses (what write_statuses does to a workbook: its package patched)",
            run=lambda: patch_statuses(xlsx_sheet, out / "written.xlsx", None, BLOCK, texts),
            baseline="openpyxl load_workbook + save of the same file",
            run_baseline=resave,
            target=at_full_size(setup.rows, 0.25),
        ),
    ]
