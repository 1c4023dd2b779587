"""The figures: each is something the runner does, timed against a baseline measured in the same
run. Add a figure by adding a function to `FIGURES` that makes its `Figure`s from the `Setup`."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl

from runner.sheet.look import STATUS_LOOK
from runner.sheet.statuscols import STATUS_COLUMNS
from runner.sheet.xlsxpatch import StatusBlock, patch_statuses
from runner.status import Status, StatusCells

from .timing import peak_memory
from .workbook import HEADER


@dataclass(frozen=True)
class Setup:
    """What the figures share: a scratch folder and the generated workbook."""

    folder: Path
    workbook: Path
    rows: int


@dataclass(frozen=True)
class Figure:
    name: str
    measured: str  # what `run` does, in a few words
    run: Callable[[], object]
    baseline: str
    run_baseline: Callable[[], object]
    target: float | None = None  # the ratio it should stay at or under
    memory: Callable[[], tuple[int, int]] | None = None  # peak memory before and after, bytes


def _statuses(rows: int) -> dict[int, tuple[str, ...]]:
    """Each row's status cells, as the run writes them (the last names the row's recipient)."""
    values: dict[int, tuple[str, ...]] = {}
    for number in range(2, rows + 2):
        if number % 10 == 0:
            cells = StatusCells(Status.FAILED, "403: recipient does not accept messages")
        else:
            urn = f"urn:li:fsd_profile:ACoAA{number:08d}"
            cells = StatusCells(Status.SENT, "", "2026-01-15T09:00:00Z", urn)
        values[number] = replace(cells, owner=f"person-{number}").texts()
    return values


_PATCH_ONCE = """
import sys
from pathlib import Path
from bench.figures import BLOCK, _statuses
from runner.sheet.xlsxpatch import patch_statuses
values = _statuses(int(sys.argv[3]))
# measure
patch_statuses(Path(sys.argv[1]), Path(sys.argv[2]), None, BLOCK, values)
"""

BLOCK = StatusBlock(
    header_row=1,
    columns=tuple(range(len(HEADER), len(HEADER) + len(STATUS_COLUMNS))),
    names=STATUS_COLUMNS,
    new=frozenset(range(len(STATUS_COLUMNS))),
    look=STATUS_LOOK,  # as a run writes them: coloured by status
)


def writeback(setup: Setup) -> list[Figure]:
    values = _statuses(setup.rows)
    patched = setup.folder / "patched.xlsx"
    resaved = setup.folder / "resaved.xlsx"

    def patch() -> None:
        patch_statuses(setup.workbook, patched, None, BLOCK, values)

    def resave() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(setup.workbook)
        book.save(resaved)

    def memory() -> tuple[int, int]:
        args = (str(setup.workbook), str(patched), str(setup.rows))
        return peak_memory(_PATCH_ONCE, *args)

    return [
        Figure(
            name=f"status write-back, all {setup.rows:,} rows",
            measured="patch_statuses (the workbook's package patched)",
            run=patch,
            baseline="openpyxl load_workbook + save of the same file",
            run_baseline=resave,
            target=0.25,
            memory=memory,
        )
    ]


def _accounts(setup: Setup) -> list[Figure]:
    from .accounts import accounts  # it imports this module's Figure

    return accounts(setup)


FIGURES: list[Callable[[Setup], list[Figure]]] = [writeback, _accounts]
