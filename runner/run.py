"""A campaign run: the send loop over the named parts.

    reconcile (sheet x journal) -> schedule -> attempt (journal, HTTP, journal) -> learn
    -> maybe stop -> maybe checkpoint -> ... -> final write-back

The journal is the truth about what was sent; the sheet is written from it. Rows are known by
their recipient, not their position, so a re-sorted or extended sheet resumes correctly.
"""

from __future__ import annotations

import contextlib
import random
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Protocol

from . import failpoints
from .answers import Outcome
from .api import ApiClient
from .clock import Clock, iso
from .errors import ApiFatal, ConfigError, JournalError, SheetError
from .lock import locks_for
from .outcomes import RESEND_HINT, RunReport, StopReason, exit_code, outcome_cells
from .plans import SendPlan
from .prepare import Prepared, check_vouched, open_journal, read_again, reconciled
from .quota import QUOTA_USED_UP
from .reconcile import Reached
from .schedule import Scheduler, Wait, WaitReason, last_sends
from .settings import Places
from .sheet import Stamp
from .status import Status, StatusCells
from .stopping import Stopped, StopRequest
from .stops import (
    Acquit,
    Decision,
    PauseAccount,
    Stop,
    StopKind,
    StopRules,
    Trouble,
)
from .writeback import WriteBack


@dataclass(frozen=True)
class RunOptions:
    places: Places
    api_name: str  # which API the quotas belong to: its base URL, or "sandbox"
    limit: int | None = None
    resend_unknown: bool = False
    trust_sheet: bool = False  # take sheet statuses the journal cannot vouch for as the record


class Progress(Protocol):
    """How the core reports progress; the CLI draws it (a bar on a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self, plan: SendPlan, cells: StatusCells) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, plan: SendPlan, cells: StatusCells) -> None:
        pass

    def close(self) -> None:
        pass


class Run:
    """One run of a campaign against the API. Use `execute()` once."""

    def __init__(
        self,
        prepared: Prepared,
        options: RunOptions,
        api: ApiClient,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        progress: Progress | None = None,
        stop: StopRequest | None = None,
    ) -> None:
        self.prepared = prepared
        self.stop = stop or StopRequest()
        self.options = options
        self.api = api
        self.clock = clock
        self.rng = rng or random.Random()
        self.progress = progress or NoProgress()
        self.report = RunReport()
        self.states = self.report.states
        self.stops = StopRules()
        self.reached = Reached()
        self.in_flight: dict[str, SendPlan] = {}  # recipient key -> its plan, while on the wire
        self.writeback = WriteBack(
            prepared.table,
            options.places.target,
            clock,
            owners=_owners(prepared),
            on_write=self._written,
            reread=self._reread,
        )

    def execute(self) -> RunReport:
        places = self.options.places
        try:
            places.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{self.prepared.campaign.path.name}: output: cannot create "
                f"{places.target.parent}: {err.strerror}"
            ) from None
        with ExitStack() as held:
            for lock in locks_for(self.prepared.campaign, places):
                held.enter_context(lock)
            trust = self.options.trust_sheet
            journal = held.enter_context(
                open_journal(self.prepared, places, write=True, trust=trust)
            )
            self.journal = journal
            self._start()
            try:
                self._loop()
            except KeyboardInterrupt:
                self.report.stop = StopReason.INTERRUPTED
                self._abandon_in_flight("interrupted (Ctrl-C) while sending")
            except Stopped as stopped:  # a second request, or one during a pause
                self.report.stop, self.report.signal = StopReason.SIGNAL, stopped.signum
                self._abandon_in_flight(f"stopped by {stopped} while sending")
            except BaseException as err:  # written back first, then reported by the caller
                if not isinstance(err, JournalError):  # else nothing more can be recorded
                    self._abandon_in_flight(f"the run failed while sending ({type(err).__name__})")
                self._finish()
                raise
            self._finish()
        self.report.exit_code = exit_code(self.report)
        return self.report

    def _start(self) -> None:
        """Reconcile the sheet with the journal and write the statuses once before sending:
        a sheet that cannot take them stops the run while nothing is sent."""
        places = self.options.places
        now = self.clock.now()
        self.report.recovered = self.journal.recover(now)
        entries = self.journal.entries()
        self.strikes = {entry.key for entry in entries if entry.strikes}
        trust, history = self.options.trust_sheet, self.journal.has_history()
        check_vouched(self.prepared, places, entries, history, trust=trust)
        start = reconciled(self.prepared, entries, self.options.resend_unknown)
        for entry in start.adopted:
            self.journal.adopt(entry, now)
        self.report.adopted = len(start.adopted)
        self.report.moved = start.moved
        self.report.hidden = len(start.held)
        self.states.update(start.states)
        self.queue = start.queue
        self.scheduler = Scheduler(
            start.queue,
            self.journal.pools(self.options.api_name),
            self.prepared.campaign.pacing,
            self.rng,
            last_sent=last_sends(entries),
        )
        self.report.failing = self.scheduler.failing
        self.writeback.first(self.states)

    def _written(self) -> None:
        """The sheet holds this journal's statuses: say so in the journal, and make its main
        file whole, so a copy of it alone loses nothing."""
        with contextlib.suppress(JournalError):  # the sheet is written all the same
            self.journal.wrote_sheet(self.clock.now())
            self.journal.checkpoint()

    def _loop(self) -> None:
        self.progress.start(len(self.queue))
        try:
            while (step := self._next()) is not None:
                if self._decide(self._attempt(step)):
                    return
                self.writeback.checkpoint(self.states)
            if self.report.stop is StopReason.FINISHED:
                self._decide(self.stops.unresolved(self._struck))
        except _SheetUnusable as err:
            self.report.stop, self.report.stalled = StopReason.SHEET, str(err)
        finally:
            self.progress.close()

    def _follow_edits(self) -> None:
        """Before each send: if the user saved the sheet, carry on from what it says now (a
        deleted row is not sent, an edited one is sent as it reads now, a new one is queued)."""
        if Stamp.of(self.prepared.campaign.sheet) != self.writeback.table.stamp:
            self._reread()

    def _reread(self) -> dict[int, StatusCells]:
        """Read the sheet again and reconcile it with the journal; the statuses by row now."""
        places = self.options.places
        try:
            prepared = read_again(self.prepared.campaign, places, self.clock)
            entries = self.journal.entries()
            history = self.journal.has_history()
            check_vouched(prepared, places, entries, history, trust=self.options.trust_sheet)
        except SheetError as err:
            raise _SheetUnusable(f"the sheet was saved during the run and {err}") from None
        start = reconciled(prepared, entries, self.options.resend_unknown)
        now = self.clock.now()
        for entry in start.adopted:
            self.journal.adopt(entry, now)
        self.prepared, self.queue = prepared, start.queue
        self.states.clear()
        self.states.update(start.states)
        self.scheduler.requeue(start.queue)
        self.writeback.follow(prepared.table, _owners(prepared))
        self.report.hidden = len(start.held)
        self.report.rereads += 1
        return self.states

    def _next(self) -> SendPlan | None:
        """The next plan to send, after any pacing pause; None when this run is done."""
        limit = self.options.limit
        while True:
            if self.stop.signum is not None:  # asked to stop: no new send starts
                self.report.stop, self.report.signal = StopReason.SIGNAL, self.stop.signum
                return None
            self._follow_edits()
            if limit is not None and self.report.attempted >= limit:
                if self.scheduler.left():
                    self.report.stop = StopReason.LIMIT
                return None
            now = self.clock.now()
            step = self.scheduler.next(now)
            if not isinstance(step, Wait):
                return step
            wait = (step.until - now).total_seconds()
            if step.reason is WaitReason.QUOTA or wait > SHORT_WAIT:
                return None  # a spent quota: the rows wait for a later run
            self.clock.sleep(wait)  # pacing, or a moment the API asked for (Retry-After)

    def _attempt(self, plan: SendPlan) -> list[Decision]:
        """Send one plan: journal it in flight, send, journal the outcome, learn from it."""
        earlier = self.reached.earlier_row(plan)
        if earlier is not None:
            detail = f"same recipient as row {earlier} (LinkedIn answered with the same URN)"
            self._show(plan, StatusCells(Status.DUPLICATE, detail))
            self.scheduler.release(plan)
            return []
        key = plan.recipient.key
        self.journal.begin(plan, self.clock.now())
        self.report.attempted += 1  # counted as it goes out: a stop mid-request still tells
        self.in_flight[key] = plan
        failpoints.reached(failpoints.IN_FLIGHT_COMMITTED)
        result = self.api.send(plan)
        failpoints.reached(failpoints.ANSWER_RECEIVED)
        del self.in_flight[key]
        self.api.forget(plan)
        now = self.clock.now()
        pool = self.scheduler.learn(plan.pool, result, now)
        if pool is not None:
            self.journal.save_pool(self.options.api_name, pool)
        cells = outcome_cells(plan, result, now)
        self.journal.finish(key, cells, now)
        self._show(plan, cells)
        if pool is not None and pool.asked_to_wait and result.outcome is Outcome.RATE_LIMITED:
            self.scheduler.again(plan)  # tried again once the wait is over
        if cells.status is Status.SENT:
            self.report.sent += 1
            self.reached.add(plan, cells.urn)
        self.scheduler.done(plan, now)
        return self.stops.observe(plan, result)

    def _decide(self, decisions: list[Decision]) -> bool:
        """Act on what the stop rules said; True when the run stops sending."""
        for decision in decisions:
            if isinstance(decision, PauseAccount):
                self.scheduler.fail_account(decision.account, decision.why)
            elif isinstance(decision, Acquit):
                self._acquit(decision)
            else:
                self._stop(decision)
                return True
        return False

    def _struck(self, plan: SendPlan) -> bool:
        return plan.recipient.key in self.strikes

    def _acquit(self, acquit: Acquit) -> None:
        """Rows whose trouble was their own wait behind the others; after a few runs of it,
        they fail, so that no row holds the campaign back."""
        if acquit.trouble is Trouble.SAME_REFUSAL:
            return  # refused, as the API said: they stay failed
        now = self.clock.now()
        for plan in acquit.plans:
            strikes = self.journal.strike(plan.recipient.key)
            if strikes >= MAX_STRIKES:
                cells = StatusCells(
                    Status.FAILED,
                    f"the API failed for this recipient on {strikes} runs while it worked for "
                    f"others ({acquit.detail}); clear the status cell to try again",
                )
            else:
                cells = StatusCells(
                    Status.PENDING,
                    f"{acquit.detail}; the API failed for this recipient while it worked for "
                    f"others ({strikes} of {MAX_STRIKES}): tried after the others next run",
                )
            self.journal.finish(plan.recipient.key, cells, now)
            self.states[plan.row] = cells

    def _show(self, plan: SendPlan, cells: StatusCells) -> None:
        self.states[plan.row] = cells
        self.progress.advance(plan, cells)

    def _stop(self, stop: Stop) -> None:
        now = self.clock.now()
        for plan in stop.revert:
            self.journal.finish(plan.recipient.key, StatusCells(Status.PENDING), now)
            if stop.revert_detail is not None:
                self.states[plan.row] = StatusCells(Status.PENDING, stop.revert_detail)
        if stop.kind is StopKind.FATAL:
            raise ApiFatal(stop.why)
        self.report.stop = StopReason.STALLED
        self.report.stalled = stop.why

    def _abandon_in_flight(self, why: str) -> None:
        """A request cut off on the wire may have been delivered: the row becomes unknown.
        Cut off before it left (say, in a pause between retries), it simply waits."""
        now = self.clock.now()
        for key, plan in list(self.in_flight.items()):
            del self.in_flight[key]
            if not self.api.may_have_delivered(plan):
                self.journal.finish(key, StatusCells(Status.PENDING), now)
                continue
            detail = f"{why}; it may or may not have been delivered" + RESEND_HINT
            cells = StatusCells(Status.UNKNOWN, detail)
            self.journal.finish(key, cells, now)
            self.states[plan.row] = cells

    def _finish(self) -> None:
        """Pending rows waiting on a spent quota say so, with the reset time; then the final
        write-back."""
        now = self.clock.now()
        pools = self.scheduler.pools
        waiting = {p.pool for p in self.queue if self.states[p.row].status is Status.PENDING}
        blocked = {key: pools[key] for key in sorted(waiting) if key in pools}
        blocked = {key: pool for key, pool in blocked.items() if pool.blocked(now)}
        self.report.blocked = list(blocked.values())
        for plan in self.queue:
            cells, pool = self.states[plan.row], blocked.get(plan.pool)
            if cells.status is Status.PENDING and pool is not None:
                assert pool.blocked_until is not None
                detail = f"{QUOTA_USED_UP}; resets at {iso(pool.blocked_until)}"
                if pool.asked_to_wait:
                    detail = f"{pool.reason}; may send again at {iso(pool.blocked_until)}"
                self.states[plan.row] = replace(cells, detail=detail)
        self.report.held = self.writeback.held
        if self.report.stop is StopReason.SHEET:  # it cannot be written as it is now
            self.report.held = "the sheet cannot be used as it is now (see below)"
            return
        self.writeback.final(self.states)
        self.report.written = self.writeback.written
        self.report.write_error = self.writeback.error
        self.report.held = self.writeback.held


# When the API asks to wait (a 429's Retry-After) no longer than this, the run waits.
SHORT_WAIT = 120.0
# A row the API fails for while it works for others is tried on this many runs, then failed.
MAX_STRIKES = 3


class _SheetUnusable(Exception):
    """The sheet, saved during the run, cannot be used as it is now: the run stops."""


def _owners(prepared: Prepared) -> dict[int, str]:
    """Each row's recipient, as its status block names them."""
    return {rp.row.number: str(rp.row.recipient or "") for rp in prepared.plans}
