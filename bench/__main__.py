"""`python -m bench [--sizes N,N,...] [--quick] [--runs N] [--output FILE]`: generate the sheets
of each size, print every figure with its baseline and ratio, then the scaling table, and write
them all to BENCHMARKS.md."""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .campaigns import Setup, stop_loopback
from .figures import FIGURES
from .measures import Figure, Peak, Peaked, Timed
from .report import machine, markdown, peak_text, scaling, scaling_text, timed_text
from .timing import MANY, ONCE, SHORT, Timing, timed

SIZES = (1_000, 10_000, 100_000)
QUICK = (1_000, 10_000)
REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = tuple(sorted(set(QUICK if args.quick else args.sizes)))
    facts = machine()  # the load average before the bench adds to it
    start = time.perf_counter()
    results: list[Timed] = []
    peaks: list[Peaked] = []
    with tempfile.TemporaryDirectory(prefix="campaign-runner-bench-") as scratch:
        try:
            for rows in sizes:
                print(f"\n=== {rows:,} rows ===", flush=True)
                setup = Setup(Path(scratch), rows, sizes)
                setup.ahead()
                for make in FIGURES:
                    for group in _groups(make(setup)):
                        if isinstance(group, Peak):
                            peaks.append(_peak(group))
                            print(peak_text(peaks[-1]), flush=True)
                            continue
                        for result in _timed(group, args.runs):
                            results.append(result)
                            print(timed_text(result), flush=True)
        finally:
            stop_loopback()
    print(scaling_text(scaling(results)))
    seconds = time.perf_counter() - start
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    text = markdown(facts, command, seconds, args.runs, results, peaks)
    args.output.write_text(text, encoding="utf-8")
    print(f"\n{args.output} written; {seconds / 60:.1f} min in all")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--sizes",
        type=_sizes,
        default=SIZES,
        metavar="N,N,...",
        help="the sheets' sizes in rows (default 1000,10000,100000)",
    )
    which.add_argument(
        "--quick", action="store_true", help="1,000 and 10,000 rows only, to try things out"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs of each at least, median taken (more where a run is short)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "BENCHMARKS.md",
        metavar="FILE",
        help="where the results are written (default: BENCHMARKS.md in the repository)",
    )
    return parser


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"whole numbers of rows, comma-separated, not {text!r}")
    return sizes


def _groups(made: list[Figure] | list[Peak]) -> list[list[Figure] | Peak]:
    """Peaks one by one, and figures in runs of those that share their baseline (the very
    callable), which is then timed once a round for them all."""
    groups: list[list[Figure] | Peak] = []
    for item in made:
        last = groups[-1] if groups else None
        if isinstance(item, Peak):
            groups.append(item)
        elif isinstance(last, list) and last[-1].run_baseline is item.run_baseline:
            last.append(item)
        else:
            groups.append([item])
    return groups


def _timed(figures: list[Figure], runs: int) -> list[Timed]:
    """Each figure's runs and its baseline's, taken in turn, so that a burst of load on the
    machine hits both; the baseline first in every other round, so that neither side is
    always the one that runs just after the setup or the other's run. `runs` rounds, or more
    where a round is short (`_rounds`). A side whose first run took `ONCE` or longer is not
    run again."""
    measured: list[list[Timing]] = [[] for _ in figures]
    baseline: list[Timing] = []
    rounds, round_ = runs, 0
    while round_ < rounds:
        start = time.perf_counter()
        if round_ % 2 and _again(baseline):
            baseline.append(timed(figures[0].run_baseline, 1))
        for figure, times in zip(figures, measured, strict=True):
            if not _again(times):
                continue
            if figure.before is not None:
                figure.before()
            times.append(timed(figure.run, 1))
        if not round_ % 2 and _again(baseline):
            baseline.append(timed(figures[0].run_baseline, 1))
        if round_ == 0:
            rounds = _rounds(runs, time.perf_counter() - start)
        round_ += 1
    shared = _joined(baseline)
    return [Timed(f, _joined(t), shared) for f, t in zip(figures, measured, strict=True)]


def _rounds(runs: int, first: float) -> int:
    """How many rounds, the first having taken `first` seconds: `runs`, or as many as fill
    `SHORT` seconds, up to `MANY`. A run of milliseconds (a dry run of 1,000 rows) is at the
    mercy of one slow moment of the machine, which the median of three does not outvote."""
    return max(runs, min(MANY, int(SHORT / first))) if first > 0 else max(runs, MANY)


def _again(timings: list[Timing]) -> bool:
    """Whether a side is run again: not once a run of it took `ONCE` or longer. Over that
    long a burst of load on the machine is a small part of the run, which a median of several
    runs would not change much; and at 100,000 rows openpyxl's load and save (the XLSX
    write-back's baseline) takes 22-31 s a run, a minute of the bench's time were it run
    thrice. (At 10 s, a slow moment made 2,000 sends, 4.5-7 s a run, take one run of 10.3 s
    and stand alone: no other side comes near 20 s.)"""
    return not timings or timings[0].median < ONCE


def _peak(peak: Peak) -> Peaked:
    start, end = peak.probe()
    return Peaked(peak, start, end)


def _joined(timings: list[Timing]) -> Timing:
    runs = tuple(s for t in timings for s in t.runs)
    return Timing(statistics.median(runs), runs)


if __name__ == "__main__":
    raise SystemExit(main())
