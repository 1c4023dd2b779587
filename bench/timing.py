"""Timing and memory: the median of a few runs, and a peak measured in a process of its own."""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

ONCE = 20.0  # seconds: a side of a figure whose first run takes this long is not run again
SHORT = 2.0  # seconds: a figure whose round (runner and baseline) takes less is run more often,
MANY = 15  # up to this many rounds


@dataclass(frozen=True)
class Timing:
    median: float
    runs: tuple[float, ...]


def timed(run: Callable[[], object], runs: int) -> Timing:
    seconds = []
    for _ in range(runs):
        # What the run before left for the collector is collected before the clock starts,
        # not charged to whichever run comes next (at 100,000 rows, a second or more).
        gc.collect()
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return Timing(statistics.median(seconds), tuple(seconds))


def peak_memory(code: str, *args: str) -> tuple[int, int]:
    """Run `code` (which must print nothing) in a fresh Python; its peak resident memory in
    bytes when it reaches the line `# measure` and at its end."""
    before, _, after = code.partition("# measure\n")
    probe = f"{_PEAK}\n{before}\nstart = peak()\n{after}\nprint(start, peak())\n"
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    start, end = result.stdout.split()
    return int(start), int(end)


# Linux's VmHWM is this process's own peak; ru_maxrss would start at the bench's own peak, as
# a child inherits it through fork and keeps it through exec.
_PEAK = """
import resource, sys
def peak():
    try:
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024
    except OSError:
        scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
"""
