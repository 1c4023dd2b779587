"""The campaigns the figures time: a folder with the sheet, the message and a campaign file that
sends without pauses; the simulator on a loopback HTTP server; a campaign whose journal records
every row but the last few as sent; and the command line run in-process."""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

from runner.campaign import load_campaign
from runner.cli import main
from runner.clock import SystemClock, iso
from runner.journal import Journal, begun, finished
from runner.plans import Endpoint, SendPlan
from runner.prepare import prepare
from runner.sandbox import Sandbox, profile_urn
from runner.settings import KEY_VAR, places
from runner.status import Status, StatusCells
from tests.support.loopback import LoopbackServer

from .leads import MESSAGE, leads_csv
from .workbook import leads_workbook

KEY = "sk_test_0123456789abcdef"
ENV = {KEY_VAR: KEY}
LEFT = 10  # rows a resumed campaign has left to send


class Setup:
    """What the figures at one size share: a scratch folder, and the sheets and campaigns made
    there the first time a figure asks for them."""

    def __init__(self, folder: Path, rows: int, sizes: tuple[int, ...]) -> None:
        self.folder = folder / f"rows-{rows}"
        self.folder.mkdir()
        self.rows = rows
        self.sizes = sizes  # every size this run measures, smallest first
        self._made: dict[str, Path] = {}

    def sheet(self, kind: str) -> Path:
        """The leads as a `kind` ("csv" or "xlsx") sheet of `rows` rows."""
        return self._once(f"leads.{kind}", lambda: self._write_sheet(kind))

    def campaign(self, kind: str) -> Path:
        """A campaign of the sheet never run: its campaign file."""
        return self._once(
            f"fresh-{kind}", lambda: make_campaign(self._new(f"fresh-{kind}"), self.sheet(kind))
        )

    def resumed(self, kind: str) -> Path:
        """A campaign of the sheet with all but `LEFT` rows sent and written to the sheet: its
        campaign file. Runs take a copy (`copy_campaign`), so it stays as it is."""
        return self._once(
            f"resumed-{kind}",
            lambda: resumed(self._new(f"resumed-{kind}"), self.sheet(kind), self._journal()),
        )

    def _journal(self) -> Path:
        """A journal recording every row but the last `LEFT` + 1 as sent: the same for both
        kinds of sheet, which hold the same people in the same rows (at 100,000 rows, filling
        it takes seconds)."""
        return self._once(
            "journal", lambda: sent_all_but(self._new("journal"), self.sheet("csv"), LEFT + 1)
        )

    def ahead(self) -> None:
        """Make now what the figures at this size ask for, two at a time: it is untimed, so
        both cores may work at once (at 100,000 rows, 36 s one after another). The journal
        and the workbook first, then the campaigns resumed from them."""
        loopback()  # started before the fork: each process makes its campaign's run talk to it
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            for both in (
                (("_journal",), ("sheet", "xlsx")),
                (("resumed", "csv"), ("resumed", "xlsx")),
            ):
                futures = [pool.submit(_made, self, *call) for call in both]
                for future in futures:
                    self._made.update(future.result())

    def _once(self, name: str, make: Callable[[], Path]) -> Path:
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    def _new(self, name: str) -> Path:
        folder = self.folder / name
        folder.mkdir()
        return folder

    def _write_sheet(self, kind: str) -> Path:
        path = self.folder / f"leads.{kind}"
        if kind == "csv":
            leads_csv(path, self.rows)
        else:
            leads_workbook(path, self.rows)
        return path


def _made(setup: Setup, method: str, *args: str) -> dict[str, Path]:
    """`setup.method(*args)`, in a process of the pool: what `setup` has made since it came."""
    getattr(setup, method)(*args)
    return setup._made


def make_campaign(folder: Path, sheet: Path) -> Path:
    """A campaign in `folder` of a copy of `sheet`, sending without pauses; its campaign file."""
    shutil.copyfile(sheet, folder / f"leads{sheet.suffix}")
    (folder / "message.txt.j2").write_text(MESSAGE, encoding="utf-8")
    toml = folder / "campaign.toml"
    toml.write_text(
        f'sheet = "leads{sheet.suffix}"\nmessage_template = "message.txt.j2"\n'
        "[pacing]\nmin_delay = 0\nmax_delay = 0\n",
        encoding="utf-8",
    )
    return toml


def state(toml: Path) -> Path:
    """Where a campaign's journal lives."""
    return toml.parent / "state"


def sent_all_but(folder: Path, sheet: Path, left: int) -> Path:
    """A campaign of `sheet` whose journal records every row but the last `left` as sent (and
    nothing written to the sheet): its journal."""
    toml = make_campaign(folder, sheet)
    campaign = load_campaign(toml)
    where = places(campaign, sandbox=False, state_dir=state(toml))
    plans = [rp.plan for rp in prepare(campaign, where).plans if rp.plan]
    now = SystemClock().now()
    with Journal(where.journal, write=True, campaign=campaign.name) as journal:
        # What a run writes for each send, begun then finished, but in one commit: a run's
        # commit a send, each synced, took 12 s at 100,000 rows.
        journal.record(
            *(
                statement
                for plan in plans[:-left]
                for statement in (
                    begun(plan, now),
                    finished(plan.recipient.key, _sent(plan, now), now),
                )
            )
        )
    return where.journal


def _sent(plan: SendPlan, now: datetime) -> StatusCells:
    urn = profile_urn(plan.recipient.public_id or "")
    return StatusCells(Status.SENT, "", iso(now), urn)


def resumed(folder: Path, sheet: Path, journal: Path) -> Path:
    """A campaign of `sheet` with `journal` (`sent_all_but`, one more row than `LEFT` left),
    then one run of a single row: the sheet holds the statuses of all but `LEFT` rows, as it
    would after a run that stopped there. Its campaign file."""
    toml = make_campaign(folder, sheet)
    state(toml).mkdir()
    shutil.copyfile(journal, state(toml) / journal.name)
    cli("run", str(toml), "--base-url", loopback(), "--state-dir", str(state(toml)), "--limit", "1")
    return toml


def copy_campaign(toml: Path, folder: Path) -> Path:
    """A copy of the campaign (sheet, journal and all) in `folder`, made anew; its campaign file."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(toml.parent, folder)
    # The copy's pages reach the disk now, untimed: else the run's first sync of the journal
    # (a run syncs every commit) writes them, tens of megabytes at 100,000 rows.
    if hasattr(os, "sync"):  # not on Windows
        os.sync()
    return folder / toml.name


def cli(*argv: str) -> str:
    """`campaign-runner ARGV`, in this process with the bench's key; what it printed. A command
    that fails raises, so no figure times an error."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=ENV, stdout=out, stderr=err)
    if code != 0:
        raise RuntimeError(f"campaign-runner {' '.join(argv)}: exit {code}\n{err.getvalue()}")
    return out.getvalue()


_servers = ExitStack()


@functools.cache
def loopback() -> str:
    """The base URL of the simulator on a loopback HTTP server, started once for the bench,
    with quotas no run here reaches. It serves from a process of its own: in this one, its
    thread would compete for the GIL with whatever talks to it, which the real API never does
    (measured: it made each send of the runner's wait for the GIL twice)."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    _servers.callback(server.join)
    _servers.callback(server.terminate)
    url: str = ours.recv()
    return url


def _serve(pipe: Connection) -> None:
    sandbox = Sandbox(KEY, SystemClock(), limits={endpoint: 10**9 for endpoint in Endpoint})
    with LoopbackServer(sandbox) as server:
        pipe.send(server.base_url)
        threading.Event().wait()  # until the bench ends it


def stop_loopback() -> None:
    _servers.close()
