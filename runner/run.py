"""A campaign run: the send loop over the named parts.

    reconcile (sheet x journal) -> schedule -> begin (journal) -> sender thread (HTTP)
    -> answer (journal) -> learn -> maybe stop -> maybe checkpoint -> ... -> final write-back

The journal is the truth about what was sent; the sheet is written from it. Rows are known by
their recipient, not their position, so a re-sorted or extended sheet resumes correctly. Each
account sends from its own thread (`workers.py`); everything else happens here, in one thread.
"""

from __future__ import annotations

import contextlib
import random
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime

from . import failpoints
from .answers import Outcome, SendResult
from .api import ApiClient
from .caps import Caps
from .clock import Clock
from .decide import Decider
from .errors import JournalError, SheetError
from .history import campaign_sends, shared_pools
from .journal import Entry
from .lock import AccountLocks, locks_for
from .lookups import Looker, NoWrite
from .outcomes import (
    RESEND_HINT,
    NoProgress,
    Progress,
    RunReport,
    StopReason,
    exit_code,
    outcome_cells,
)
from .pauses import mark_waiting, sleep_until, wait_detail
from .plans import Endpoint, SendPlan
from .prepare import Prepared, check_vouched, entries_of, open_journal, read_again, reconciled
from .quota import Pool
from .reconcile import Reached, Reconciled
from .routing import Known
from .schedule import DAY_WAITS, Scheduler, Wait, WaitReason, last_sends, sticky
from .settings import RunOptions
from .sheet import Stamp
from .status import Status, StatusCells
from .stopping import Stopped, StopRequest
from .stops import StopRules
from .workers import Answer, Senders
from .writeback import WriteBack

# When the API asks to wait (a 429's Retry-After) no longer than this, the run waits.
SHORT_WAIT = 120.0
# How long one look for an answer blocks (real seconds): a stop request is seen between looks.
ANSWER_POLL = 0.25


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
        self.report = RunReport(lookups_only=options.lookups_only)
        self.states = self.report.states
        self.stops = StopRules()
        self.reached = Reached()
        self.in_flight: dict[str, SendPlan] = {}  # recipient key -> its plan, while on the wire
        self.row_of: dict[str, int] = {}  # recipient key -> their row in the sheet as it is now
        self.stopping = False  # a stop rule ended the run: what is on the wire still finishes

    def execute(self) -> RunReport:
        places = self.options.places
        places.make_target_folder(self.prepared.campaign.path.name)
        with ExitStack() as held:
            for lock in locks_for(self.prepared.campaign, places):
                held.enter_context(lock)
            journal = open_journal(
                self.prepared, places, write=True, trust=self.options.trust_sheet
            )
            self.journal = held.enter_context(journal)
            holder = str(self.prepared.campaign.path)
            locks = AccountLocks(places.state_dir, places.sandbox, holder, self._recount)
            self.accounts = held.enter_context(locks)
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
        self.report.looked_up, self.report.to_look_up = self.looker.tally(self.queue)
        self.report.exit_code = exit_code(self.report)
        return self.report

    def _start(self) -> None:
        """Reconcile the sheet with the journal and write the statuses once before sending (a
        sheet that cannot take them stops the run while nothing is sent)."""
        places = self.options.places
        self.report.recovered = self.journal.recover(self.clock.now())
        entries = entries_of(self.prepared, self.journal)
        self.strikes = {entry.key for entry in entries if entry.strikes}
        trust, history = self.options.trust_sheet, self.journal.has_history()
        check_vouched(self.prepared, places, entries, history, trust=trust)
        start = self._reconcile(self.prepared, entries)
        self.report.adopted, self.report.moved = len(start.adopted), start.moved
        last_sent = last_sends(entries)
        del entries, start  # freed before the caps, the write and its owners (one a row)
        self.writeback = (NoWrite if self.options.lookups_only else WriteBack)(
            self.prepared.table,
            places.target,
            self.clock,
            owners=self.prepared.owners(),
            on_write=self._written,
            reread=self._reread,
        )
        campaign = self.prepared.campaign
        others, own = campaign_sends(places, own=False), campaign_sends(places, own=True)
        self.scheduler = Scheduler(
            self.queue,
            shared_pools(places.state_dir, places.sandbox, self.options.api_name),
            campaign.pacing_for,
            self.rng,
            last_sent=last_sent,
            caps=Caps(campaign.pacing_for, others, own),
            rotate=campaign.rotate_accounts,
            take=self.accounts.take,
            reads_only=self.options.lookups_only,
        )
        self.report.failing = self.scheduler.failing
        self.decider = Decider(self.journal, self.scheduler, self.states, self.report, self.clock)
        self.looker = Looker(self.journal, self.scheduler, campaign, self.options)
        self.writeback.first(self.states)

    def _recount(self, account: str) -> None:
        """Taken for this run: what other runs sent from the account counts toward its cap.
        (This campaign's own sends are as the start read them: this run holds its lock.)"""
        others = campaign_sends(self.options.places, own=False)
        self.scheduler.caps.reload(account, others.get(account, []))

    def _written(self) -> None:
        """The sheet holds the statuses: the journal says so, its main file made whole."""
        with contextlib.suppress(JournalError):  # the sheet is written all the same
            self.journal.wrote_sheet(self.clock.now())
            self.journal.checkpoint()

    def _loop(self) -> None:
        self.progress.start(len(self.queue))
        self.senders = Senders(self.api.request)
        try:
            while self._step():
                pass
            while self.in_flight:  # what is on the wire ends sent or failed, not unknown
                self._take(block=True)
            if self.report.stop is StopReason.FINISHED and not self.stopping:
                struck = self.strikes
                self.decider.act(self.stops.unresolved(lambda plan: plan.recipient.key in struck))
        except _SheetUnusable as err:
            self.report.stop, self.report.stalled = StopReason.SHEET, str(err)
        finally:
            self.senders.close()
            self.progress.close()

    def _step(self) -> bool:
        """Take in the answers that came, then start the next send or wait for one; False
        once no new send is to start."""
        self._take()
        if self.stopping:
            return False
        if self.stop.signum is not None:  # asked to stop: no new send starts
            self.report.stop, self.report.signal = StopReason.SIGNAL, self.stop.signum
            return False
        limit = self.options.limit
        if limit is not None and self.report.attempted >= limit:
            if self.scheduler.left():
                self.report.stop = StopReason.LIMIT
            return False
        now = self.clock.now()
        step = self.scheduler.next(now)
        if isinstance(step, SendPlan):
            # A sheet the user saved is followed before the send. (Looked at only as a send is to
            # start: while one is on the wire, a look at the disk waits for the sender's GIL.)
            if Stamp.of(self.prepared.campaign.sheet) == self.writeback.table.stamp:
                self._begin(step)
            else:  # the re-read queues the row again, as the sheet has it now
                self.scheduler.release(step)
                self._take(block=True) if self.in_flight else self._reread()  # wire first
            return True
        seconds = 0.0 if step is None else (step.until - now).total_seconds()
        # An account's pause between sends is always waited out, however long the user set it;
        # a long wait the API asked for, like a spent quota, waits for a later run.
        paced = step is not None and step.reason is WaitReason.PACING
        long = step is None or step.reason in DAY_WAITS or (seconds > SHORT_WAIT and not paced)
        if self.in_flight:  # an answer may free an account or change a quota: wait for one
            self._take(block=True, until=None if long or step is None else step.until)
            return True
        if step is None:
            return False
        if long:
            if not self.options.wait:
                return False  # the rows wait for a later run
            self._sleep_through(step)
            return True
        self.clock.sleep(seconds)  # pacing, or a moment the API asked for (Retry-After)
        return True

    def _begin(self, plan: SendPlan) -> None:
        """Start one send: journal it in flight (committed before the request leaves), then
        hand it to its account's sender."""
        earlier = self.reached.earlier_row(plan)
        if earlier is not None:
            detail = f"same recipient as row {earlier} (LinkedIn answered with the same URN)"
            self._show(plan, StatusCells(Status.DUPLICATE, detail))
            self.scheduler.release(plan)
            return
        if plan.endpoint is Endpoint.RELATIONSHIP:  # a read: nothing to journal before it
            self.in_flight[plan.recipient.key] = plan
            self.senders.start(plan)
            return
        if self.reached.on_the_wire(plan):  # another account's message to them is on its way
            self.scheduler.put_back(plan)
            return self._take(block=True)  # its answer says whether this one is a duplicate
        self.journal.begin(plan, self.clock.now())
        self.report.attempted += 1  # counted as it goes out: a stop mid-request still tells
        self.in_flight[plan.recipient.key] = plan
        self.reached.sending(plan)
        failpoints.reached(failpoints.IN_FLIGHT_COMMITTED)
        self.senders.start(plan)

    def _take(self, *, block: bool = False, until: datetime | None = None) -> None:
        """Record the answers that came; with `block`, wait for one first: a short while, or
        `until` then on the run's clock (an answer on its way gets a moment of real time first,
        so a simulated clock, which jumps a pause at once, sees the simulator's answers)."""
        if block and not self.senders.arrived.is_set():
            poll = ANSWER_POLL
            if until is not None:
                poll = min(max((until - self.clock.now()).total_seconds(), 0), poll)
            answer = self.senders.take(block=True, timeout=poll)
            if answer is not None:
                self._answered(answer)
            elif until is not None and (left := (until - self.clock.now()).total_seconds()) > 0:
                self.clock.wait(self.senders.arrived, left)
        while (answer := self.senders.take()) is not None:
            self._answered(answer)

    def _answered(self, answer: Answer) -> None:
        plan = answer.plan
        key = plan.recipient.key
        if key not in self.in_flight:
            return  # abandoned already (the run was cut short)
        if answer.result is None:
            assert answer.error is not None
            raise answer.error  # the row is abandoned as the error is handled (the run stops)
        lookup = plan.endpoint is Endpoint.RELATIONSHIP
        failpoints.reached(failpoints.LOOKED_UP if lookup else failpoints.ANSWER_RECEIVED)
        del self.in_flight[key]
        result = answer.result
        self.api.forget(plan)
        plan = replace(plan, row=self.row_of.get(key, plan.row))  # the sheet may have moved it
        now = self.clock.now()
        pool = self.scheduler.learn(plan.pool, result, now)
        if lookup:
            # A row deleted from the sheet meanwhile is not sent: its lookup is kept all the same.
            cells, settled = self.looker.answered(plan, result, now, pool, key in self.row_of)
            if key in self.row_of:
                self.states[plan.row] = cells
                if settled:
                    self.progress.advance(plan, cells)
        else:
            self._sent(plan, result, now, pool)
        self.stopping = self.decider.act(self.stops.observe(plan, result)) or self.stopping
        self.writeback.checkpoint(self.states)

    def _sent(self, plan: SendPlan, result: SendResult, now: datetime, pool: Pool | None) -> None:
        """Record a send's answer, show it, and let its account pause."""
        key = plan.recipient.key
        cells = outcome_cells(plan, result, now)
        # The outcome and what the answer said of its quota: one commit, one sync to disk.
        self.journal.finish(key, cells, now, (self.options.api_name, pool) if pool else None)
        if key in self.row_of:  # not deleted from the sheet meanwhile
            self._show(plan, cells)
        if result.outcome is Outcome.RATE_LIMITED:
            self.scheduler.again(plan)  # tried again once the quota or the wait is over
        self.report.sent += cells.status is Status.SENT
        self.reached.landed(plan, cells)  # sent, or maybe: a later row for them is a duplicate
        self.scheduler.done(plan, now, counted=cells.status in (Status.SENT, Status.UNKNOWN))

    def _sleep_through(self, wait: Wait) -> None:
        """--wait: write the sheet, say why and until when, then sleep to then in short steps,
        reading the wall clock each time (a laptop asleep through the moment wakes past it).
        A stop request ends the sleep at once."""
        now = self.clock.now()
        self._mark_waiting(now)
        self.writeback.checkpoint(self.states, force=True)
        self.report.pauses += 1
        detail = wait_detail(wait, self.scheduler, self.prepared.campaign, now)
        self.progress.paused(wait, detail)
        sleep_until(self.clock, wait.until, self.progress)

    def _reread(self) -> dict[int, StatusCells]:
        """Read the sheet again and reconcile it with the journal; the statuses by row now."""
        places = self.options.places
        try:
            prepared = read_again(self.prepared.campaign, places, self.clock)
            entries = entries_of(prepared, self.journal)
            history = self.journal.has_history()
            check_vouched(prepared, places, entries, history, trust=self.options.trust_sheet)
        except SheetError as err:
            raise _SheetUnusable(f"the sheet was saved during the run and {err}") from None
        self._reconcile(prepared, entries)
        self.scheduler.requeue(self.queue)
        self.writeback.follow(prepared.table, prepared.owners())
        self.report.rereads += 1
        return self.states

    def _reconcile(self, prepared: Prepared, entries: list[Entry]) -> Reconciled:
        """The sheet as read now × the journal: each row's status, and what is left to send
        (someone on the wire now is not queued again: the journal says in flight, not done)."""
        known, only = Known.of(self.journal.lookups()), self.options.lookups_only
        start = reconciled(prepared, entries, self.options.resend_unknown, known, lookups_only=only)
        now = self.clock.now()
        for entry in start.adopted:
            self.journal.adopt(entry, now)
        queue = [plan for plan in start.queue if plan.recipient.key not in self.in_flight]
        self.prepared, self.queue = prepared, sticky(queue, entries)
        self.row_of = prepared.rows_by_key()
        self.states.clear()
        self.states.update(start.states)
        self.report.hidden = len(start.held)
        return start

    def _show(self, plan: SendPlan, cells: StatusCells) -> None:
        self.states[plan.row] = cells
        self.progress.advance(plan, cells)

    def _abandon_in_flight(self, why: str) -> None:
        """A request cut off on the wire may have been delivered: the row becomes unknown.
        Cut off before it left (say, in a pause between retries), it simply waits."""
        now = self.clock.now()
        for key, plan in list(self.in_flight.items()):
            del self.in_flight[key]
            if plan.endpoint is Endpoint.RELATIONSHIP:
                continue  # a lookup: made again next time
            if not self.api.may_have_delivered(plan):
                self.journal.finish(key, StatusCells(Status.PENDING), now)
                continue
            detail = f"{why}; it may or may not have been delivered" + RESEND_HINT
            cells = StatusCells(Status.UNKNOWN, detail, message=plan.sent_text)
            self.journal.finish(key, cells, now)
            if key in self.row_of:  # where the sheet has them now
                self.states[self.row_of[key]] = cells

    def _finish(self) -> None:
        """Pending rows say what they wait for and until when; then the final write-back."""
        self._mark_waiting(self.clock.now())
        if self.report.stop is StopReason.SHEET:  # it cannot be written as it is now
            self.report.held = "the sheet cannot be used as it is now (see below)"
            return
        self.writeback.final(self.states)
        self.report.written = self.writeback.written
        self.report.write_error = self.writeback.error
        self.report.held = self.writeback.held

    def _mark_waiting(self, now: datetime) -> None:
        """Pending rows that wait on a quota, window or cap say on what, and until when."""
        campaign, queue = self.prepared.campaign, self.looker.current(self.queue)
        shown = mark_waiting(queue, self.states, self.scheduler, campaign, self.in_flight, now)
        self.report.blocked, self.report.waits = shown.blocked, shown.waits
        day = campaign.api.sandbox_day_seconds if self.options.places.sandbox else None
        self.report.projection = replace(shown.projection, sandbox_day=day)


class _SheetUnusable(Exception):
    """The sheet, saved during the run, cannot be used as it is now: the run stops."""
