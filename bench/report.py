"""The results as text: each figure printed as it is measured, the scaling table, and
BENCHMARKS.md with the machine they were measured on."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .measures import FULL_SIZE, MIB, Peaked, Timed
from .timing import MANY, ONCE, SHORT, Timing

LINEAR = 1.5  # per-row cost at the largest size over that at the smallest, at most


def titled(name: str, rows: int | None) -> str:
    return name if rows is None else f"{name}, {rows:,} rows"


def verdict(met: bool | None) -> str:
    return "" if met is None else "met" if met else "NOT met"


def timed_text(result: Timed) -> str:
    figure = result.figure
    target = "" if figure.target is None else f" (target <= {figure.target}: {verdict(result.met)})"
    return (
        f"\n{titled(figure.name, figure.rows)}\n"
        f"  {figure.measured}: {_seconds(result.measured)}\n"
        f"  baseline, {figure.baseline}: {_seconds(result.baseline)}\n"
        f"  ratio {result.ratio:.2f}{target}"
    )


def peak_text(result: Peaked) -> str:
    peak = result.peak
    limit = "" if peak.limit is None else f" (target < {peak.limit // MIB} MiB: "
    limit += verdict(result.met) + ")" if limit else ""
    return (
        f"\n{titled(peak.name, peak.rows)}\n  {peak.measured}: {result.end / MIB:.0f} MiB "
        f"resident at its peak, {(result.end - result.start) / MIB:.0f} MiB above the process "
        f"before it{limit}"
    )


def _seconds(timing: Timing) -> str:
    each = ", ".join(f"{s:.3f}" for s in timing.runs)
    return f"median {timing.median:.3f} s ({each})"


@dataclass(frozen=True)
class Scaling:
    """One figure at every size: its time per 1,000 rows, and whether that stays flat."""

    name: str
    per_thousand: tuple[tuple[int, float], ...]  # (rows, seconds per 1,000 rows), by size

    @property
    def growth(self) -> float:
        """Per-row cost at the largest size over that at the smallest."""
        return self.per_thousand[-1][1] / self.per_thousand[0][1]

    @property
    def linear(self) -> bool:
        return self.growth <= LINEAR


def scaling(results: list[Timed]) -> list[Scaling]:
    """Every figure measured at more than one size."""
    sizes: dict[str, list[tuple[int, float]]] = {}
    for result in results:
        rows = result.figure.rows
        if rows is not None:
            sizes.setdefault(result.figure.name, []).append(
                (rows, result.measured.median / rows * 1000)
            )
    return [Scaling(name, tuple(sorted(each))) for name, each in sizes.items() if len(each) > 1]


def _costs(row: Scaling) -> str:
    return " · ".join(f"{rows:,}: {seconds * 1000:.1f}" for rows, seconds in row.per_thousand)


def scaling_text(rows: list[Scaling]) -> str:
    lines = [
        "\nscaling: ms per 1,000 rows at each size; linear if the largest's is at most "
        f"{LINEAR}x the smallest's"
    ]
    for row in rows:
        lines.append(
            f"  {row.name}: {_costs(row)}; x{row.growth:.2f}, "
            f"{'linear' if row.linear else 'NOT linear'}"
        )
    return "\n".join(lines)


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on, and when (the load average: now, at the start)."""
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("pandas", "openpyxl", "python-calamine", "jinja2")
    )
    return [
        ("CPU", f"{os.cpu_count()} x {_cpu_model()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", platform.platform()),
        ("load average at start (1, 5, 15 min)", load),
        ("libraries", versions),
        ("commit", _commit()),
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown model"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    """The commit measured, and whether the runner or the bench differ from it."""
    repo = str(Path(__file__).resolve().parent.parent)
    try:
        head = _git(repo, "rev-parse", "--short", "HEAD")
        changed = _git(repo, "status", "--porcelain", "--", "runner", "bench")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (", with changes to runner/ or bench/ not committed" if changed else "")


def _git(repo: str, *args: str) -> str:
    done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def markdown(
    facts: list[tuple[str, str]],
    command: str,
    seconds: float,
    runs: int,
    timed: list[Timed],
    peaks: list[Peaked],
) -> str:
    """BENCHMARKS.md: the machine, every figure, the memory, the scaling, what each times."""
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (see bench/), which took {seconds / 60:.1f} min; not by hand.",
        f"Each time is the median of {runs} run{'s' * (runs != 1)} or more, the runner's and "
        "its baseline's taken in turn (the baseline first in every other round, the garbage of "
        "the run before collected before each, untimed); resume and status share the runs of "
        "their baseline, the dry run of the same campaign. "
        f"Where a round of both takes under {SHORT:.0f} s, there are as many rounds as fill "
        f"{SHORT:.0f} s, up to {MANY} (a run of milliseconds is at the mercy of one slow moment "
        "of the machine). "
        f"A side whose first run takes {ONCE:.0f} s or more is not run again: over that long "
        "a burst of load is a small part of the run. "
        "The ratio is the runner's median over the baseline's: it holds on other machines, "
        "where the seconds do not. The targets of resume, status and write-back are the "
        f"issue's for {FULL_SIZE:,} rows; at smaller sizes their ratios are there for the "
        "scaling table, without a verdict (a run's fixed costs, such as its TLS context, its "
        "lock and ten sends, weigh there against a dry run of tens of milliseconds).",
        "",
        *(f"- {name}: {value}" for name, value in facts),
        "",
        "## Times",
        "",
        "| figure | rows | runner (s) | baseline (s) | ratio | target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    order = {name: i for i, name in enumerate(dict.fromkeys(r.figure.name for r in timed))}
    for result in sorted(timed, key=lambda r: (order[r.figure.name], r.figure.rows or 0)):
        figure = result.figure
        rows = "" if figure.rows is None else f"{figure.rows:,}"
        target = "" if figure.target is None else f"≤ {figure.target}"
        lines.append(
            f"| {figure.name} | {rows} | {result.measured.median:.3f} | "
            f"{result.baseline.median:.3f} | {result.ratio:.2f} | {target} | "
            f"{verdict(result.met)} |"
        )
    lines += [
        "",
        "## Peak memory",
        "",
        "| figure | rows | peak (MiB) | above the start (MiB) | target | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for peaked in sorted(peaks, key=lambda p: (p.peak.name, p.peak.rows)):
        peak = peaked.peak
        limit = "" if peak.limit is None else f"< {peak.limit // MIB}"
        lines.append(
            f"| {peak.name} | {peak.rows:,} | {peaked.end / MIB:.0f} | "
            f"{(peaked.end - peaked.start) / MIB:.0f} | {limit} | {verdict(peaked.met)} |"
        )
    lines += [
        "",
        "## Scaling",
        "",
        "Milliseconds per 1,000 rows at each size; linear where the largest size's is at most "
        f"{LINEAR}× the smallest's.",
        "",
        "| figure | ms per 1,000 rows | largest / smallest | |",
        "| --- | --- | ---: | --- |",
    ]
    for row in scaling(timed):
        lines.append(
            f"| {row.name} | {_costs(row)} | {row.growth:.2f} | "
            f"{'linear' if row.linear else 'NOT linear'} |"
        )
    lines += ["", "## What each figure times", ""]
    described: dict[str, str] = {}
    for result in timed:
        figure = result.figure
        described.setdefault(figure.name, f"{figure.measured}; baseline: {figure.baseline}")
    for peaked in peaks:
        described.setdefault(peaked.peak.name, peaked.peak.measured)
    lines += [f"- {name}: {text}." for name, text in described.items()]
    return "\n".join(lines) + "\n"
