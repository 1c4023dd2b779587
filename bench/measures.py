"""What a figure is: a `Figure` times something the runner does against a baseline; a `Peak` is
the peak memory of one command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .timing import Timing

MIB = 2**20
# The size the issue sets the targets of resume, status and write-back for ("a 100k-row
# campaign"). At smaller sizes those figures are for the scaling table: their ratio is shown
# without a verdict, as a run's fixed costs (a TLS context, the lock, ten sends) weigh there
# against a dry run of tens of milliseconds.
FULL_SIZE = 100_000


def at_full_size(rows: int, target: float) -> float | None:
    """`target` where the figure is taken at the size the issue sets it for; else none."""
    return target if rows >= FULL_SIZE else None


@dataclass(frozen=True)
class Figure:
    """Something the runner does, timed against a baseline measured in the same run."""

    name: str  # the same at every size: "dry run, CSV"
    rows: int | None  # the size it ran at; None for a figure no size changes
    measured: str  # what `run` does, in a few words
    run: Callable[[], object]
    baseline: str
    run_baseline: Callable[[], object]
    target: float | None = None  # the ratio it should stay at or under
    before: Callable[[], object] | None = None  # made ready for `run`, untimed, before each


@dataclass(frozen=True)
class Peak:
    """The peak resident memory of one command in a fresh process."""

    name: str
    rows: int
    measured: str
    probe: Callable[[], tuple[int, int]]  # peak before the command and at its end, bytes
    limit: int | None = None  # bytes it should stay under


@dataclass(frozen=True)
class Timed:
    """A figure's times: the runner's and the baseline's, run for run."""

    figure: Figure
    measured: Timing
    baseline: Timing

    @property
    def ratio(self) -> float:
        return self.measured.median / self.baseline.median

    @property
    def met(self) -> bool | None:
        target = self.figure.target
        return None if target is None else self.ratio <= target


@dataclass(frozen=True)
class Peaked:
    """A peak's memory: resident at the command's start and at its end, bytes."""

    peak: Peak
    start: int
    end: int

    @property
    def met(self) -> bool | None:
        return None if self.peak.limit is None else self.end < self.peak.limit
