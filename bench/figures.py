"""The figures: each is something the runner does, timed against a baseline measured in the same
run. Add a figure by adding a function to `FIGURES` that makes its `Figure`s (or `Peak`s) from
the `Setup` of one size; it is called once for each size, smallest first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import jinja2
import pandas

from .accounts import accounts
from .campaigns import LEFT, Setup, cli, copy_campaign, loopback, state
from .leads import MESSAGE
from .measures import MIB, Figure, Peak, at_full_size
from .sending import sending
from .timing import peak_memory
from .writeback import writeback


def render_all(frame: pandas.DataFrame) -> None:
    """What a user's own script does with the rows: one Jinja render per row, in a loop."""
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MESSAGE)
    for record in frame.to_dict("records"):
        template.render(record)


def dry_run(toml: Path) -> str:
    return cli("run", str(toml), "--dry-run", "--state-dir", str(state(toml)))


DRY_RUN = "campaign-runner run --dry-run"


def dry_runs(setup: Setup) -> list[Figure]:
    csv, xlsx = setup.campaign("csv"), setup.campaign("xlsx")
    return [
        Figure(
            name="dry run, CSV",
            rows=setup.rows,
            measured=DRY_RUN,
            run=lambda: dry_run(csv),
            baseline="pandas.read_csv(dtype=str) + one Jinja render per row",
            run_baseline=lambda: render_all(pandas.read_csv(setup.sheet("csv"), dtype=str)),
            target=1.3,
        ),
        Figure(
            name="dry run, XLSX",
            rows=setup.rows,
            measured=DRY_RUN,
            run=lambda: dry_run(xlsx),
            baseline='pandas.read_excel(engine="calamine") + one Jinja render per row',
            run_baseline=lambda: render_all(
                pandas.read_excel(setup.sheet("xlsx"), engine="calamine")
            ),
            target=1.5,
        ),
    ]


def resumed(setup: Setup) -> list[Figure]:
    """A campaign with all but `LEFT` rows sent: its resume, and its `status`, each against the
    dry run of the same campaign. The two share the dry run's runs (`shared_baseline`): timing
    it once a round rather than twice spares a minute at 100,000 rows."""
    figures = []
    for kind in ("csv", "xlsx"):
        pristine = setup.resumed(kind)
        baseline = functools.partial(dry_run, pristine)
        figures += [
            _resume(setup, kind, pristine, baseline),
            _status(setup, kind, pristine, baseline),
        ]
    return figures


def _resume(setup: Setup, kind: str, pristine: Path, baseline: Callable[[], object]) -> Figure:
    work = setup.folder / f"resuming-{kind}"
    copied = work / pristine.name

    def send_the_rest() -> None:
        cli("run", str(copied), "--base-url", loopback(), "--state-dir", str(state(copied)))

    return Figure(
        name=f"resume, {kind.upper()}",
        rows=setup.rows,
        measured=f"campaign-runner run, all but {LEFT} rows sent before",
        run=send_the_rest,
        baseline=f"{DRY_RUN} of the same campaign",
        run_baseline=baseline,
        target=at_full_size(setup.rows, 1.1),
        before=lambda: copy_campaign(pristine, work),
    )


def _status(setup: Setup, kind: str, toml: Path, baseline: Callable[[], object]) -> Figure:
    """`status` of a campaign with all but `LEFT` rows sent; against its dry run."""
    return Figure(
        name=f"status, {kind.upper()}",
        rows=setup.rows,
        measured=f"campaign-runner status, all but {LEFT} rows sent",
        run=lambda: cli("status", str(toml), "--state-dir", str(state(toml))),
        baseline=f"{DRY_RUN} of the same campaign",
        run_baseline=baseline,
        target=at_full_size(setup.rows, 1.0),
    )


_COMMAND_ONCE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench.campaigns import cli, loopback, state
toml = Path(sys.argv[2])
argv = ["run", str(toml), "--state-dir", str(state(toml)), "--base-url", loopback()]
# measure
cli(*argv)
"""
REPO = Path(__file__).resolve().parent.parent


def memory(setup: Setup) -> list[Peak]:
    """The XLSX campaign's peak memory: its resume in a fresh process. A resume does all a dry
    run does (read, plan, reconcile) and more (journal, send, write back twice): its peak is
    the campaign's. (Measured too until the bench had to be shorter, the dry run's peak stayed
    under the resume's at every size, by 4 to 10 MiB.)"""
    pristine = setup.resumed("xlsx")
    work = setup.folder / "resuming-memory"

    def probe() -> tuple[int, int]:
        toml = copy_campaign(pristine, work)
        return peak_memory(_COMMAND_ONCE, str(REPO), str(toml))

    return [
        Peak(
            name="peak memory, XLSX resume",
            rows=setup.rows,
            measured=f"campaign-runner run, all but {LEFT} rows sent before, in a fresh process",
            probe=probe,
            limit=300 * MIB,
        )
    ]


FIGURES: list[Callable[[Setup], list[Figure] | list[Peak]]] = [
    dry_runs,
    sending,
    resumed,
    writeback,
    memory,
    accounts,
]
