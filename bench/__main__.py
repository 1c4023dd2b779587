"""`python -m bench [--rows N] [--runs N]`: generate the workbook, print every figure."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from .figures import FIGURES, Figure, Setup
from .timing import Timing, timed
from .workbook import HEADER, leads_workbook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each, median taken")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="campaign-runner-bench-") as scratch:
        folder = Path(scratch)
        workbook = folder / "leads.xlsx"
        start = time.perf_counter()
        leads_workbook(workbook, args.rows)
        print(
            f"workbook: {args.rows:,} rows x {len(HEADER)} columns, "
            f"{workbook.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - start:.1f} s; "
            f"{os.cpu_count()} CPUs, load average {_load()}"
        )
        setup = Setup(folder, workbook, args.rows)
        for make in FIGURES:
            for figure in make(setup):
                _report(figure, args.runs)
    return 0


def _report(figure: Figure, runs: int) -> None:
    pairs = []
    for _ in range(runs):  # interleaved, so a burst of load on the machine hits both
        pairs.append((timed(figure.run, 1), timed(figure.run_baseline, 1)))
    measured = _joined([p[0] for p in pairs])
    baseline = _joined([p[1] for p in pairs])
    ratio = measured.median / baseline.median
    print(f"\n{figure.name}")
    print(f"  {figure.measured}: {_seconds(measured)}")
    print(f"  baseline, {figure.baseline}: {_seconds(baseline)}")
    verdict = ""
    if figure.target is not None:
        verdict = f" (target <= {figure.target}: {'met' if ratio <= figure.target else 'NOT met'})"
    print(f"  ratio {ratio:.3f}{verdict}")
    if figure.memory is not None:
        before, after = figure.memory()
        print(
            f"  peak memory of one run: {after / 2**20:.0f} MiB resident, "
            f"{(after - before) / 2**20:.0f} MiB above the process before it"
        )


def _joined(timings: list[Timing]) -> Timing:
    runs = tuple(s for t in timings for s in t.runs)
    return Timing(statistics.median(runs), runs)


def _seconds(timing: Timing) -> str:
    each = ", ".join(f"{s:.2f}" for s in timing.runs)
    return f"median {timing.median:.2f} s ({each})"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
